"""Exports in chat: "Ekspor data" sends members, kegiatan with their daftar hadir, laporan,
deliveries or the assessment pack (with the reports' photos in ZIPs) as files, and "Rekap"
sends charts. Admins get every kampung; a kader her own kampung's kegiatan, laporan, pack
and charts; members and deliveries are for admins only; mothers get none."""

from handlers.core.feature import ADMIN, KADER, STAFF, Action, Feature, MenuEntry
from handlers.exports.files import send_file
from handlers.exports.menu import show_kinds, show_periods
from handlers.exports.rekap import send_rekap

EXPORTS_FEATURE = Feature(
    name="exports",
    prefix="ex",
    actions=(
        Action("ex.menu", show_kinds, STAFF),
        Action("ex.kind", show_periods, STAFF),
        Action("ex.file", send_file, STAFF),
        Action("ex.rekap", send_rekap, STAFF),
    ),
    menu=(
        MenuEntry("ex.menu", "ekspor.menu", ADMIN, 88, group="more"),
        MenuEntry("ex.rekap", "ekspor.rekap_menu", ADMIN, 89, group="more"),
        MenuEntry("ex.menu", "ekspor.menu", KADER, 46, group="more"),
        MenuEntry("ex.rekap", "ekspor.rekap_menu", KADER, 47, group="more"),
    ),
)

__all__ = ["EXPORTS_FEATURE"]
