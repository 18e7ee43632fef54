#!/usr/bin/env python3
"""The JSON of spec/inspect-mime-json.md computed with Python's email package (policy.default).

Used by test_inspect_mime.py as the other implementation in a differential test: it follows the
spec's "Precise rules" where Python's own reading differs only in presentation (first field
wins, dates in ISO form, filenames decoded), and leaves Python's parsing decisions alone, so
the differences that remain are real disagreements between the two parsers.

    python3 tests/tools/mime_reference.py FILE
"""
import email
import email.policy
import email.utils
import hashlib
import json
import re
import sys
from email import errors
from email.header import decode_header, make_header

OBS_ZONES = {"UT": 0, "GMT": 0, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
             "MST": -420, "MDT": -360, "PST": -480, "PDT": -420}


def first(msg, name):
    """The first occurrence of a field, as its raw (folded) string value."""
    for k, v in msg._headers:  # (name, value) pairs as parsed, policy-independent
        if k.lower() == name.lower():
            return v if isinstance(v, str) else str(v)
    return None


def unfold(v):
    return re.sub(r"\r?\n(?=[ \t])", "", v)


def subject(msg):
    v = first(msg, "subject")
    if v is None:
        return None
    try:
        s = str(make_header(decode_header(unfold(v))))
    except Exception:
        s = unfold(v)
    return s.strip(" \t")


def addresses(msg, name):
    v = first(msg, name)
    if v is None:
        return []
    out = []
    try:
        h = email.policy.default.header_factory(name, unfold(v))
        for a in h.addresses:
            if not a.addr_spec or a.addr_spec == "<>":
                continue
            out.append({"name": a.display_name or "", "addr": a.addr_spec})
    except Exception:
        return []
    return out


def date(msg):
    v = first(msg, "date")
    if v is None:
        return None
    try:
        t = email.utils.parsedate_tz(unfold(v))
    except Exception:
        return None
    if t is None:
        return None
    y, mo, d, h, mi, s, _, _, _, off = t
    if off is None:
        off = 0
    sign = "+" if off >= 0 else "-"
    off = abs(off) // 60
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{sign}{off // 60:02d}:{off % 60:02d}"


def message_id(msg):
    v = first(msg, "message-id")
    if v is None:
        return None
    m = re.search(r"<[^<>]*>", unfold(v))
    return re.sub(r"\s", "", m.group(0)) if m else None


TOKEN = r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+"
VALID_CT = re.compile(r"\s*(\([^)]*\)\s*)*" + TOKEN + r"\s*/\s*" + TOKEN + r"\s*(;|$|\()")


def part(p):
    ctype = p.get_content_type()
    params = {}
    raw_ct = first(p, "content-type")
    # The spec: an invalid Content-Type gives the default type and no parameters.
    if raw_ct is not None and VALID_CT.match(unfold(raw_ct)) and p.get_params(header="content-type"):
        for k, v in p.get_params(header="content-type")[1:]:
            k = k.lower()
            if k in params:
                continue
            params[k] = email.utils.collapse_rfc2231_value(v)
    disp = first(p, "content-disposition")
    disposition = None
    if disp is not None:
        d = p.get_content_disposition()
        disposition = d.lower() if d else None
    fn = p.get_filename()
    enc = first(p, "content-transfer-encoding")
    encoding = unfold(enc).strip().split()[0].lower() if enc and unfold(enc).strip() else (None if enc is None else "")
    out = {"type": ctype, "params": dict(sorted(params.items())), "disposition": disposition,
           "filename": fn, "encoding": encoding, "size": None, "sha256": None, "parts": None,
           "message": None}
    if ctype.startswith("multipart/"):
        # The spec: a multipart without a boundary, or whose boundary never occurs, has no parts.
        out["parts"] = [part(c) for c in p.get_payload()] if p.is_multipart() else []
    elif ctype in ("message/rfc822", "message/global"):
        payload = p.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        out["message"] = message(inner) if inner is not None else None
    else:
        body = p.get_payload(decode=True) or b""
        out["size"] = len(body)
        out["sha256"] = hashlib.sha256(body).hexdigest()
    return out


def message(msg):
    return {"headers": {"subject": subject(msg), "from": addresses(msg, "from"),
                        "to": addresses(msg, "to"), "cc": addresses(msg, "cc"),
                        "date": date(msg), "message_id": message_id(msg)},
            "root": part(msg)}


def main():
    with open(sys.argv[1], "rb") as f:
        # message_from_bytes, not message_from_binary_file: the latter reads through a text
        # wrapper that turns CRLF into LF, and the spec keeps each body's line endings.
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    print(json.dumps(message(msg), ensure_ascii=True, separators=(",", ":")))


if __name__ == "__main__":
    main()
