"""Importing the KK binaan list (CSV or XLSX) as members, and linking an imported member's
chat later (her own shared contact, or a one-time code her kader makes), with her consent.

Import from here outside models/; inside models/, import the submodule.
"""

from models.member_import.columns import HEADER_NAMES, TEMPLATE_FILE, TEMPLATE_HEADER
from models.member_import.links import (
    LINK_DAYS,
    LINK_PURPOSE,
    LinkRefused,
    code_member_id,
    create_link_code,
    link_candidates,
    link_member,
    linkable,
    may_make_code,
)
from models.member_import.plan import (
    DUPLICATES,
    REASONS,
    Duplicate,
    ImportFileError,
    ImportPlan,
    NewMember,
    RowProblem,
    apply_plan,
    plan_import,
)

__all__ = [
    "DUPLICATES",
    "HEADER_NAMES",
    "LINK_DAYS",
    "LINK_PURPOSE",
    "REASONS",
    "TEMPLATE_FILE",
    "TEMPLATE_HEADER",
    "Duplicate",
    "ImportFileError",
    "ImportPlan",
    "LinkRefused",
    "NewMember",
    "RowProblem",
    "apply_plan",
    "code_member_id",
    "create_link_code",
    "link_candidates",
    "link_member",
    "linkable",
    "may_make_code",
    "plan_import",
]
