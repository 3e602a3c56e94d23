"""Pure parsers for forgiving chat answers: numbers, yes/no, dates and times, place names.

Each returns a value or a clear "not understood" (None or an error code) so chat flows can
ask again kindly instead of guessing.
"""

from handlers.parse.numbers import parse_int
from handlers.parse.places import PlaceMatch, match_place
from handlers.parse.when import (
    DateResult,
    DateTimeResult,
    Direction,
    ErrorCode,
    TimeResult,
    parse_date,
    parse_datetime,
    parse_time,
)
from handlers.parse.yesno import parse_yes_no

__all__ = [
    "DateResult",
    "DateTimeResult",
    "Direction",
    "ErrorCode",
    "PlaceMatch",
    "TimeResult",
    "match_place",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_time",
    "parse_yes_no",
]
