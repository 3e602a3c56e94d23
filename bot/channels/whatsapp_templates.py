"""WhatsApp message templates: what an outbox row becomes outside the 24-hour window.

WhatsApp delivers free-form messages only within 24 hours of her last message; after that
only templates Meta approved beforehand go out. Every proactive kind has an entry here:
the template's name, its language, which row parameters fill {{1}}, {{2}}, … and the
quick-reply buttons it was registered with. The README lists them with their text, to
register in the WhatsApp Manager; `WHATSAPP_TEMPLATES` (settings) overrides an entry or
removes one that is not approved (yet): a kind without a template waits for her next
message instead.

Filling the parameters: ``for`` is whom the message is about ("Ibu Siti Aminah" on a
shared phone or her kader's chat, else "Ibu"); a template without ``for`` gets "Untuk Ibu
…" before its first parameter on such chats. Values are flattened to one line (Meta
refuses line breaks, tabs and long runs of spaces in a parameter) and the longest is
shortened when the body would pass 1024 characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Category = Literal["utility", "marketing"]
UTILITY: Category = "utility"
MARKETING: Category = "marketing"
FOR = "for"
BODY_MAX = 1024
PARAM_EMPTY = "-"


@dataclass(frozen=True)
class Template:
    name: str
    # Row parameters in the order of {{1}}, {{2}}, …; FOR is computed (see the module).
    params: tuple[str, ...]
    category: Category
    # The body as registered with Meta (README); {{n}} are the parameters.
    body: str
    language: str = "id"
    # Quick-reply buttons as registered; a tap's payload is the row's n-th choice id
    # (or, past its choices, the label itself, read as typed text: "BERHENTI").
    buttons: tuple[str, ...] = ()


_KEEP, _CANCEL = "Tetap ikut", "Batal ikut"
_STOP = "BERHENTI"

DEFAULT_TEMPLATES: dict[str, Template] = {
    "kegiatan_reminder": Template(
        "p2wkss_pengingat_kegiatan", (FOR, "judul", "when", "tempat"), UTILITY,
        "👤 Untuk {{1}}\n⏰ Pengingat kegiatan: {{2}}\n{{3}}\nTempat: {{4}}\n"
        'Tekan "Tetap ikut" kalau Ibu akan datang, atau "Batal ikut" supaya tempatnya '
        "untuk ibu lain. Saat datang, ketik: hadir <kode> (kodenya diberikan di tempat).",
        buttons=(_KEEP, _CANCEL),
    ),
    "kegiatan_reminder_waiting": Template(
        "p2wkss_pengingat_daftar_tunggu", (FOR, "judul", "when", "tempat", "position"), UTILITY,
        "👤 Untuk {{1}}\n⏰ Pengingat kegiatan: {{2}}\n{{3}}\nTempat: {{4}}\n"
        "Ibu masih di daftar tunggu, nomor {{5}}. Kalau ada tempat kosong, Ibu diberi kabar.",
        buttons=("Keluar daftar tunggu",),
    ),
    "kegiatan_changed": Template(
        "p2wkss_kegiatan_berubah", (FOR, "judul", "when", "tempat"), UTILITY,
        "👤 Untuk {{1}}\nPerubahan kegiatan {{2}}: sekarang {{3}}, di {{4}}. "
        "Kalau tidak bisa datang, tekan tombol di bawah.",
        buttons=(_CANCEL,),
    ),
    "kegiatan_cancelled": Template(
        "p2wkss_kegiatan_batal", (FOR, "judul", "when"), UTILITY,
        "👤 Untuk {{1}}\nMohon maaf, kegiatan {{2}} ({{3}}) dibatalkan.",
    ),
    "signup_promoted": Template(
        "p2wkss_dapat_tempat", (FOR, "judul", "when", "tempat"), UTILITY,
        "👤 Untuk {{1}}\nKabar baik! Ibu dapat tempat di kegiatan {{2}}, {{3}}, di {{4}}. "
        "Kalau Ibu tidak bisa datang, tekan tombol di bawah supaya tempatnya untuk ibu lain.",
        buttons=("Kembalikan tempat",),
    ),
    "deadline_reminder": Template(
        "p2wkss_tenggat", ("title", "due", "days", "prepare"), UTILITY,
        "📅 Tenggat: {{1}}\nBatas waktu: {{2}} ({{3}} hari lagi)\n"
        "Yang perlu disiapkan: {{4}}\nTerima kasih.",
    ),
    "question_new": Template(
        "p2wkss_pertanyaan_baru", ("name", "place", "when", "text"), UTILITY,
        "❓ Pertanyaan dari Ibu {{1}} ({{2}}), {{3}}:\n{{4}}\n\nTekan Jawab untuk membalas.",
        buttons=("Jawab",),
    ),
    "question_no_kader": Template(
        "p2wkss_pertanyaan_tanpa_kader", ("name", "place", "when", "text"), UTILITY,
        "❓ Pertanyaan dari Ibu {{1}} ({{2}}), {{3}}. Kampungnya belum punya kader di "
        "layanan ini, jadi langsung ke petugas:\n{{4}}\n\nTekan Jawab untuk membalas.",
        buttons=("Jawab",),
    ),
    "question_escalated": Template(
        "p2wkss_pertanyaan_diteruskan", ("hours", "name", "place", "when", "text"), UTILITY,
        "⏫ Belum dijawab kader dalam {{1}} jam. Pertanyaan dari Ibu {{2}} ({{3}}), {{4}}:\n"
        "{{5}}\n\nTekan Jawab untuk membalas.",
        buttons=("Jawab",),
    ),
    "question_answered": Template(
        "p2wkss_jawaban", (FOR, "by", "question", "answer"), UTILITY,
        "👤 Untuk {{1}}\n💬 Jawaban dari kader {{2}}\nPertanyaan Ibu: {{3}}\n\n{{4}}\n\n"
        "Ketik menu untuk pertanyaan lain.",
    ),
    "question_answered_staff": Template(
        "p2wkss_jawaban_petugas", (FOR, "question", "answer"), UTILITY,
        "👤 Untuk {{1}}\n💬 Jawaban dari petugas P2WKSS\nPertanyaan Ibu: {{2}}\n\n{{3}}\n\n"
        "Ketik menu untuk pertanyaan lain.",
    ),
    "report_approved": Template(
        "p2wkss_laporan_disetujui", ("report_id", "title", "day"), UTILITY,
        "✅ Laporan #{{1}} ({{2}}, {{3}}) sudah disetujui. Terima kasih, Bu!",
        buttons=("Lihat laporan",),
    ),
    "report_returned": Template(
        "p2wkss_laporan_perbaikan", ("report_id", "title", "day", "note"), UTILITY,
        "📝 Laporan #{{1}} ({{2}}, {{3}}) perlu perbaikan: {{4}}\n"
        "Tekan Perbaiki untuk membukanya, lalu kirim lagi.",
        buttons=("Perbaiki",),
    ),
    "kader_request": Template(
        "p2wkss_permintaan_kader", ("name", "kampung"), UTILITY,
        "🙋 Permintaan kader baru: Ibu {{1}} ({{2}}) ingin menjadi kader. Setujui atau tolak?",
        buttons=("Setujui", "Tolak"),
    ),
    "kader_approved": Template(
        "p2wkss_kader_disetujui", ("name", "kampung"), UTILITY,
        "🎉 Selamat, Ibu {{1}}! Permintaan Ibu disetujui: Ibu sekarang kader {{2}}. "
        "Ketik menu untuk melihat menu kader.",
    ),
    "kader_rejected": Template(
        "p2wkss_kader_ditolak", ("name", "kampung"), UTILITY,
        "Ibu {{1}}, permintaan menjadi kader {{2}} belum bisa disetujui saat ini. Terima "
        "kasih atas kesediaan Ibu; silakan tanyakan kepada admin atau coba lagi nanti.",
    ),
    "kader_removed": Template(
        "p2wkss_kader_dicabut", ("name", "kampung"), UTILITY,
        "Ibu {{1}}, peran kader {{2}} sudah dicabut oleh admin. Ibu tetap terdaftar dan bisa "
        "memakai menu warga. Terima kasih atas bantuan Ibu.",
    ),
    "kader_nudge": Template(
        "p2wkss_sapaan_kader", ("name",), UTILITY,
        "🌱 Selamat pagi, Bu {{1}}. Seminggu ini belum ada laporan kegiatan dari Ibu. Kalau "
        'ada kegiatan di kampung, laporkan lewat menu "Lapor" ya. Terima kasih!',
    ),
    "attendance_summary": Template(
        "p2wkss_ringkasan_kehadiran",
        ("judul", "when", "registered", "present", "walk_ins", "absent"), UTILITY,
        "📋 Ringkasan kehadiran: {{1}}\n{{2}}\nTerdaftar {{3}}, hadir {{4}} (datang "
        "langsung {{5}}), tidak hadir {{6}}.",
        buttons=("Daftar hadir",),
    ),
    "admin_digest": Template(
        "p2wkss_ringkasan_harian", ("date", "body"), UTILITY,
        "📋 Ringkasan harian P2WKSS, {{1}}:\n{{2}}\nKetik menu untuk membuka layanan.",
    ),
    "broadcast_summary": Template(
        "p2wkss_laporan_pengumuman",
        ("broadcast_id", "sent", "failed", "blocked", "opted_out", "queued"), UTILITY,
        "Laporan pengumuman #{{1}}: {{2}} terkirim, {{3}} gagal, {{4}} memblokir bot, "
        "{{5}} berhenti langganan, {{6}} masih antre.",
    ),
    "announcement": Template(
        "p2wkss_pengumuman", ("text",), MARKETING,
        "📢 Pengumuman P2WKSS\n\n{{1}}\n\nTidak ingin menerima pengumuman lagi? Tekan BERHENTI.",
        buttons=(_STOP,),
    ),
}  # fmt: skip


def parse_overrides(raw: str) -> dict[str, dict[str, Any] | None]:
    """`WHATSAPP_TEMPLATES`: a JSON object, kind -> null (not approved: such rows wait for
    her next message) or an object with any of name, language, params, buttons."""
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("must be a JSON object: kind -> null or {name, language, params}")
    out: dict[str, dict[str, Any] | None] = {}
    for kind, entry in data.items():
        if entry is None:
            out[str(kind)] = None
            continue
        if not isinstance(entry, dict) or not set(entry) <= {
            "name",
            "language",
            "params",
            "buttons",
        }:
            raise ValueError(f"{kind}: must be null or an object with name, language, params")
        for key in ("params", "buttons"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{kind}: {key} must be a list of names")
        for key in ("name", "language"):
            if key in entry and not (isinstance(entry[key], str) and entry[key]):
                raise ValueError(f"{kind}: {key} must be a text")
        if kind not in DEFAULT_TEMPLATES and "name" not in entry:
            raise ValueError(f"{kind}: a new kind needs a template name")
        out[str(kind)] = entry
    return out


def build_registry(overrides: Mapping[str, dict[str, Any] | None]) -> dict[str, Template]:
    """The defaults with the overrides applied."""
    registry = dict(DEFAULT_TEMPLATES)
    for kind, entry in overrides.items():
        if entry is None:
            registry.pop(kind, None)
            continue
        base = registry.get(kind) or Template(entry["name"], (), UTILITY, "")
        registry[kind] = replace(
            base,
            name=entry.get("name", base.name),
            language=entry.get("language", base.language),
            params=tuple(entry.get("params", base.params)),
            buttons=tuple(entry.get("buttons", base.buttons)),
        )
    return registry


_SPACES = re.compile(r"[ \u00a0]{4,}")


def flat(value: object) -> str:
    """A parameter value as Meta takes it: one line, no tabs, no long runs of spaces."""
    lines = [line.strip() for line in str(value).replace("\t", " ").splitlines()]
    text = " · ".join(line for line in lines if line)
    return _SPACES.sub("   ", text) or PARAM_EMPTY


def fill(template: Template, params: Mapping[str, Any], whom: str, named: str | None) -> list[str]:
    """The parameter values, in order. `whom` fills FOR; `named` (the "Untuk Ibu …" line)
    goes before the first parameter of a template that has no FOR."""
    values = [whom if p == FOR else flat(params.get(p, PARAM_EMPTY)) for p in template.params]
    if named and FOR not in template.params and values:
        values[0] = f"{named} · {values[0]}"
    return _fit(template.body, values)


def _fit(body: str, values: list[str]) -> list[str]:
    """Shorten the longest value (at a word) until the filled body fits BODY_MAX."""
    fixed = len(re.sub(r"\{\{\d+\}\}", "", body))
    while values and fixed + sum(len(v) for v in values) > BODY_MAX:
        longest = max(range(len(values)), key=lambda i: len(values[i]))
        over = fixed + sum(len(v) for v in values) - BODY_MAX
        keep = max(1, len(values[longest]) - over - 1)
        cut = values[longest][:keep].rsplit(" ", 1)[0] if " " in values[longest][:keep] else ""
        values[longest] = (cut or values[longest][:keep]) + "…"
    return values
