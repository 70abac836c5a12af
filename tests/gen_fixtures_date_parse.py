#!/usr/bin/python3
"""gen_fixtures_date_parse.py - writes tests/fixtures/date_parse_cases.json: date cells and the 9
numbers Ludwig 0.10.3 makes of them (ludwig/features/date_feature.py date_to_list: strptime with
datetime_format, else dateutil's parse, else a numeric timestamp; ludwig/utils/date_utils.py
create_vector_from_datetime_obj; stored with numpy's int16), computed with Debian's
python3-dateutil and numpy 1.x, for tests/unit/test_date.c. Cells dateutil reads in ways that
depend on today's date (a year alone) are left out; so are two-digit years."""
import json
import time
from datetime import date, datetime

import numpy as np
from dateutil.parser import parse

SCALE_S = np.floor(np.log10(time.time()))


def vector(d):
    yearday = d.toordinal() - date(d.year, 1, 1).toordinal() + 1
    midnight = d.replace(hour=0, minute=0, second=0, microsecond=0)
    sod = (d - midnight).seconds
    v = [d.year, d.month, d.day, d.weekday(), yearday, d.hour, d.minute, d.second, sod]
    return np.array(v).astype(np.int16).tolist()


def ludwig(cell, fmt):
    if fmt is not None:
        try:
            return vector(datetime.strptime(cell, fmt))
        except ValueError:
            pass
    try:
        d = parse(cell)
    except Exception:
        ts = float(cell)
        sc = np.floor(np.log10(ts))
        if SCALE_S < sc:
            ts = ts / np.power(10, sc - SCALE_S)
        d = datetime.utcfromtimestamp(ts)
    return vector(d)


CASES = [
    ("2013-02-26", None), ("2013-02-26 14:05:09", None), ("2013-02-26T23:59:59", None),
    ("2016-12-31T10:11:12.250", None), ("2016-02-29 09:30", None), ("2013/02/26", None),
    ("2013.02.26", None), ("02/26/2013", None), ("2/6/2013", None), ("26/02/2013", None),
    ("12-25-1999 7:45 PM", None), ("Feb 26, 2013", None), ("26 February 2013", None),
    ("Tuesday, February 26, 2013 08:00", None), ("20130226", None), ("20130226140509", None),
    ("1361836800", None), ("1361836800123", None), ("2000-01-01T00:00:00Z", None),
    ("2021-06-30 18:20:00+02:00", None), ("  2013-02-26  ", None),
    ("26.02.2013", "%d.%m.%Y"), ("26/02/2013 14:05", "%d/%m/%Y %H:%M"),
    ("2013-057", "%Y-%j"), ("Feb 26 2013 02:05 PM", "%b %d %Y %I:%M %p"),
    ("2013-02-26", "%d/%m/%Y"),  # the format fails: the parser reads it
]
# refused: dateutil and float() fail on all of these but "12345", a 5-digit POSIX timestamp Ludwig
# would take as 1970-01-01 03:25:45 (ludwig-c reads timestamps of 9 to 13 digits)
BAD = ["", "yesterday", "2013-13-01", "2013-02-30", "31/31/2013", "12345", "abc 2013"]


def main():
    cases = [{"cell": c, "format": f, "want": ludwig(c, f)} for c, f in CASES]
    with open("tests/fixtures/date_parse_cases.json", "w") as fh:
        json.dump({"cases": cases, "bad": BAD}, fh)
        fh.write("\n")


if __name__ == "__main__":
    main()
