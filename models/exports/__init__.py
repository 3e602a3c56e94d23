"""Exports for people and tools: members, kegiatan with their daftar hadir, laporan with
their photos' names, deliveries (XLSX or CSV through `models.sheets`), the assessment pack
(bahan penilaian: recaps, daftar hadir, laporan, member counts, and the photos in ZIPs)
and the numbers and PNG charts of "Rekap". Who may export what is the caller's rule; the
`Scope` it passes (a kader's own kampung) is what the queries keep to. Every export is
recorded in the audit log (`record_export`).

Import from here outside models/; inside models/, import the submodule.
"""

from models.exports.activities import (
    HELD,
    KEGIATAN_HEADER,
    PESERTA_HEADER,
    Counts,
    Taking,
    counts_of,
    kegiatan_tables,
    takings_of,
)
from models.exports.charts import Chart, ChartKind, render_png
from models.exports.deliveries import DELIVERIES_HEADER, deliveries_table
from models.exports.files import (
    TABLE_KINDS,
    Format,
    PackWritten,
    Written,
    csv_paths,
    tables_of,
    write_export,
    write_penilaian,
)
from models.exports.laporan import LAPORAN_HEADER, LaporanSheet, PhotoFile, laporan_sheet
from models.exports.penilaian import RECAP_COLUMNS, TOTAL, Pack, month_label, penilaian_pack
from models.exports.people import MEMBERS_HEADER, members_table
from models.exports.photos import Zipped, plan_parts, write_photo_zips
from models.exports.rekap import Rekap, last_months, rekap_data
from models.exports.scope import KINDS, Scope, file_name, kampung_named, record_export, slug

__all__ = [
    "DELIVERIES_HEADER",
    "HELD",
    "KEGIATAN_HEADER",
    "KINDS",
    "LAPORAN_HEADER",
    "MEMBERS_HEADER",
    "PESERTA_HEADER",
    "RECAP_COLUMNS",
    "TABLE_KINDS",
    "TOTAL",
    "Chart",
    "ChartKind",
    "Counts",
    "Format",
    "LaporanSheet",
    "Pack",
    "PackWritten",
    "PhotoFile",
    "Rekap",
    "Scope",
    "Taking",
    "Written",
    "Zipped",
    "counts_of",
    "csv_paths",
    "deliveries_table",
    "file_name",
    "kampung_named",
    "kegiatan_tables",
    "laporan_sheet",
    "last_months",
    "members_table",
    "month_label",
    "penilaian_pack",
    "plan_parts",
    "record_export",
    "rekap_data",
    "render_png",
    "slug",
    "tables_of",
    "takings_of",
    "write_export",
    "write_penilaian",
    "write_photo_zips",
]
