"""How an import of the KK binaan list reads in chat: what would change (the dry run),
what a file was refused for, and what was done. Lists are cut after a few lines: the
admin fixes the file and sends it again, or uses the CLI for the whole list."""

from __future__ import annotations

from handlers.core.context import Ctx
from models.member_import import DUPLICATES, REASONS, ImportFileError, ImportPlan
from models.sheets import Limits, SheetError

SHOWN_LINES = 8


def _listed(ctx: Ctx, lines: list[str]) -> list[str]:
    shown = [f"• {line}" for line in lines[:SHOWN_LINES]]
    if len(lines) > SHOWN_LINES:
        shown.append(ctx.t("imp.and_more", count=len(lines) - SHOWN_LINES))
    return shown


def problem_lines(ctx: Ctx, plan: ImportPlan) -> list[str]:
    lines = []
    for p in plan.problems:
        reason = ctx.t(f"imp.reason.{p.reason}") if p.reason in REASONS else p.reason
        value = f' ("{p.value}")' if p.value else ""
        line = ctx.t("imp.bad_line", row=p.row, column=p.column or "-", reason=reason)
        lines.append(line + value)
    return lines


def duplicate_lines(ctx: Ctx, plan: ImportPlan) -> list[str]:
    lines = []
    for d in plan.duplicates:
        why = ctx.t(f"imp.dup.{d.reason}", row=d.other_row or "-") if d.reason in DUPLICATES else ""
        lines.append(ctx.t("imp.dup_line", row=d.row, name=d.name, why=why))
    return lines


def plan_text(ctx: Ctx, plan: ImportPlan, filename: str) -> str:
    """The dry run: what importing this file would change."""
    roles = plan.roles()
    lines = [
        ctx.t("imp.summary_file", file=filename or "-", rows=plan.rows),
        ctx.t("imp.summary_new", count=len(plan.new), ibu=roles["ibu"], kader=roles["kader"]),
    ]
    if plan.duplicates:
        lines.append(ctx.t("imp.summary_dups", count=len(plan.duplicates)))
        lines += _listed(ctx, duplicate_lines(ctx, plan))
    if plan.problems:
        lines.append(ctx.t("imp.summary_bad", count=len(plan.bad_rows)))
        lines += _listed(ctx, problem_lines(ctx, plan))
    if plan.ignored_columns:
        lines.append(ctx.t("imp.summary_ignored", columns=", ".join(plan.ignored_columns)))
    return "\n".join(lines)


def file_error_text(ctx: Ctx, error: SheetError | ImportFileError, limits: Limits, mb: str) -> str:
    """Why the file as a whole cannot be imported, and what to do."""
    if isinstance(error, SheetError):
        values = {"mb": mb, "rows": limits.max_rows, "columns": limits.max_columns}
        return ctx.t(f"imp.file.{error.reason}", **values)
    lines = []
    for p in error.problems:
        lines.append(ctx.t(f"imp.file.{p.reason}", column=p.column or "-", row=p.row))
    return "\n".join(lines)


def done_text(ctx: Ctx, plan: ImportPlan, skipped: bool) -> str:
    roles = plan.roles()
    lines = [ctx.t("imp.done", count=len(plan.created), ibu=roles["ibu"], kader=roles["kader"])]
    if plan.duplicates:
        lines.append(ctx.t("imp.done_dups", count=len(plan.duplicates)))
    if skipped and plan.problems:
        lines.append(ctx.t("imp.done_skipped", count=len(plan.bad_rows)))
    if plan.ignored_columns:
        lines.append(ctx.t("imp.summary_ignored", columns=", ".join(plan.ignored_columns)))
    lines.append(ctx.t("imp.done_next"))
    return "\n".join(lines)
