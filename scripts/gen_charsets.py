#!/usr/bin/env python3
"""scripts/gen_charsets.py - writes include/mailwire/codec/detail/charset_tables.hpp.

The single-byte tables of mailwire::charset come from Python's own codecs: for every byte
0x80-0xFF of each charset, bytes([b]).decode(codec); a byte the codec does not define becomes
U+FFFD. The label table (WHATWG Encoding Standard labels, adjusted for mail, see LABELS) is
sorted here so that charset::find() can binary-search it.

It also rewrites the block between the "BEGIN GENERATED" and "END GENERATED" lines of
tests/test_codec_charset.cpp: for each charset, the FNV-1a 64 hash of the UTF-8 that Python
gives for all 256 bytes, so the test compares the C++ decoder with Python byte for byte.

Usage: python3 scripts/gen_charsets.py           (write both files)
       python3 scripts/gen_charsets.py --check   (exit 1 if either file is out of date)
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "include", "mailwire", "codec", "detail", "charset_tables.hpp")
TEST = os.path.join(ROOT, "tests", "test_codec_charset.cpp")

# Every charset of charset::id, in enum order: (enumerator, canonical name, Python codec or a
# special kind). The order here IS the enum order of include/mailwire/codec/charset.hpp.
CHARSETS = [
    ("utf_8", "UTF-8", "utf-8"),
    ("us_ascii", "US-ASCII", "mail-latin1"),
    ("iso_8859_1", "ISO-8859-1", "mail-latin1"),
    ("iso_8859_2", "ISO-8859-2", "iso8859_2"),
    ("iso_8859_3", "ISO-8859-3", "iso8859_3"),
    ("iso_8859_4", "ISO-8859-4", "iso8859_4"),
    ("iso_8859_5", "ISO-8859-5", "iso8859_5"),
    ("iso_8859_6", "ISO-8859-6", "iso8859_6"),
    ("iso_8859_7", "ISO-8859-7", "iso8859_7"),
    ("iso_8859_8", "ISO-8859-8", "iso8859_8"),
    ("iso_8859_9", "ISO-8859-9", "iso8859_9"),
    ("iso_8859_10", "ISO-8859-10", "iso8859_10"),
    ("iso_8859_11", "ISO-8859-11", "iso8859_11"),
    ("iso_8859_13", "ISO-8859-13", "iso8859_13"),
    ("iso_8859_14", "ISO-8859-14", "iso8859_14"),
    ("iso_8859_15", "ISO-8859-15", "iso8859_15"),
    ("iso_8859_16", "ISO-8859-16", "iso8859_16"),
    ("windows_1250", "windows-1250", "cp1250"),
    ("windows_1251", "windows-1251", "cp1251"),
    ("windows_1252", "windows-1252", "cp1252"),
    ("windows_1253", "windows-1253", "cp1253"),
    ("windows_1254", "windows-1254", "cp1254"),
    ("windows_1255", "windows-1255", "cp1255"),
    ("windows_1256", "windows-1256", "cp1256"),
    ("windows_1257", "windows-1257", "cp1257"),
    ("windows_1258", "windows-1258", "cp1258"),
    ("koi8_r", "KOI8-R", "koi8_r"),
    ("koi8_u", "KOI8-U", "koi8_u"),
    ("ibm866", "IBM866", "cp866"),
    ("macintosh", "macintosh", "mac_roman"),
    ("x_mac_cyrillic", "x-mac-cyrillic", "mac_cyrillic"),
    ("windows_874", "windows-874", "cp874"),
    ("utf_16le", "UTF-16LE", "utf-16-le"),
    ("utf_16be", "UTF-16BE", "utf-16-be"),
    ("utf_16", "UTF-16", "utf-16"),
    ("utf_7", "UTF-7", "utf-7"),
]

# Labels (matched after trimming ASCII whitespace and lower-casing), from the WHATWG Encoding
# Standard's table with these changes for mail: US-ASCII and ISO-8859-1 keep their own ids
# (WHATWG folds them into windows-1252; we decode them the same way, see mail_latin1()),
# ISO-8859-9 and ISO-8859-11 are themselves (WHATWG: windows-1254, windows-874), UTF-16
# without an endianness reads a BOM (RFC 2781), UTF-7 is known (RFC 2152), and a few aliases
# common in mail are added (latin9, cp874, x-user-defined is left out).
LABELS = {
    "utf_8": ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8",
              "x-unicode20utf8"],
    "us_ascii": ["ansi_x3.4-1968", "ascii", "us-ascii", "us", "iso646-us", "csascii",
                 "iso-ir-6", "cp367", "ibm367", "iso_646.irv:1991"],
    "iso_8859_1": ["cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1",
                   "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "latin-1"],
    "iso_8859_2": ["csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592",
                   "iso_8859-2", "iso_8859-2:1987", "l2", "latin2"],
    "iso_8859_3": ["csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593",
                   "iso_8859-3", "iso_8859-3:1988", "l3", "latin3"],
    "iso_8859_4": ["csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594",
                   "iso_8859-4", "iso_8859-4:1988", "l4", "latin4"],
    "iso_8859_5": ["csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5",
                   "iso88595", "iso_8859-5", "iso_8859-5:1988"],
    "iso_8859_6": ["arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic",
                   "ecma-114", "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127",
                   "iso8859-6", "iso88596", "iso_8859-6", "iso_8859-6:1987"],
    "iso_8859_7": ["csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7",
                   "iso-ir-126", "iso8859-7", "iso88597", "iso_8859-7", "iso_8859-7:1987",
                   "sun_eu_greek"],
    "iso_8859_8": ["csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e",
                   "iso-ir-138", "iso8859-8", "iso88598", "iso_8859-8", "iso_8859-8:1988",
                   "visual", "csiso88598i", "iso-8859-8-i", "logical"],
    "iso_8859_9": ["csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599",
                   "iso_8859-9", "iso_8859-9:1989", "l5", "latin5"],
    "iso_8859_10": ["csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910",
                    "l6", "latin6"],
    "iso_8859_11": ["iso-8859-11", "iso8859-11", "iso885911"],
    "iso_8859_13": ["iso-8859-13", "iso8859-13", "iso885913", "l7", "latin7"],
    "iso_8859_14": ["iso-8859-14", "iso8859-14", "iso885914", "l8", "latin8"],
    "iso_8859_15": ["csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15",
                    "l9", "latin9", "latin-9"],
    "iso_8859_16": ["iso-8859-16", "iso8859-16", "iso885916", "iso_8859-16", "l10",
                    "latin10"],
    "windows_1250": ["cp1250", "windows-1250", "x-cp1250"],
    "windows_1251": ["cp1251", "windows-1251", "x-cp1251"],
    "windows_1252": ["cp1252", "windows-1252", "x-cp1252"],
    "windows_1253": ["cp1253", "windows-1253", "x-cp1253"],
    "windows_1254": ["cp1254", "windows-1254", "x-cp1254"],
    "windows_1255": ["cp1255", "windows-1255", "x-cp1255"],
    "windows_1256": ["cp1256", "windows-1256", "x-cp1256"],
    "windows_1257": ["cp1257", "windows-1257", "x-cp1257"],
    "windows_1258": ["cp1258", "windows-1258", "x-cp1258"],
    "koi8_r": ["cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"],
    "koi8_u": ["koi8-ru", "koi8-u"],
    "ibm866": ["866", "cp866", "csibm866", "ibm866"],
    "macintosh": ["csmacintosh", "mac", "macintosh", "x-mac-roman"],
    "x_mac_cyrillic": ["x-mac-cyrillic", "x-mac-ukrainian"],
    "windows_874": ["dos-874", "tis-620", "windows-874", "cp874", "x-cp874"],
    "utf_16le": ["utf-16le"],
    "utf_16be": ["unicodefffe", "utf-16be"],
    "utf_16": ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16"],
    "utf_7": ["csunicode11utf7", "unicode-1-1-utf-7", "utf-7", "x-unicode-2-0-utf-7"],
}

SINGLE_BYTE = [(e, n, c) for e, n, c in CHARSETS if c not in
               ("utf-8", "utf-16-le", "utf-16-be", "utf-16", "utf-7")]


def upper_half(codec):
    """The 128 code points of bytes 0x80-0xFF (U+FFFD where the codec has no mapping)."""
    if codec == "mail-latin1":
        return mail_latin1()
    out = []
    for b in range(0x80, 0x100):
        try:
            s = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            s = "\ufffd"
        assert len(s) == 1 and ord(s) <= 0xFFFF, (codec, b, s)
        out.append(ord(s))
    # The lower half of every table is ASCII (the decoder copies it as is).
    assert bytes(range(128)).decode(codec) == "".join(map(chr, range(128))), codec
    return out


def mail_latin1():
    """US-ASCII and ISO-8859-1 as mail readers decode them: windows-1252 (the WHATWG leniency),
    with windows-1252's five unassigned bytes read as Latin-1 (the C1 controls)."""
    out = []
    for b in range(0x80, 0x100):
        try:
            out.append(ord(bytes([b]).decode("cp1252")))
        except UnicodeDecodeError:
            out.append(b)
    return out


def all_bytes_utf8(codec):
    """What mailwire should produce for bytes 0x00-0xFF of a single-byte charset."""
    return ("".join(map(chr, range(128))) + "".join(map(chr, upper_half(codec)))).encode()


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def header_text():
    enum_index = {e: i for i, (e, _, _) in enumerate(CHARSETS)}
    lines = [
        "// mailwire/codec/detail/charset_tables.hpp - GENERATED by scripts/gen_charsets.py from",
        "// Python %d.%d's codecs; do not edit (re-run the script)." % sys.version_info[:2],
        "//",
        "// - sb_*: bytes 0x80-0xFF of each single-byte charset as UTF-16 code units (U+FFFD where",
        "//   the charset has no character); bytes 0x00-0x7F are ASCII in all of them.",
        "// - labels: every label of charset::find(), lower case, sorted, with its charset::id value.",
        "#pragma once",
        "",
        "#include <cstddef>",
        "#include <cstdint>",
        "#include <string_view>",
        "",
        "namespace mailwire::charset::detail {",
        "",
        "/// Number of charset::id values.",
        "inline constexpr std::uint8_t charset_count = %d;" % len(CHARSETS),
        "",
        "/// Canonical (IANA preferred MIME) names, in charset::id order.",
        "inline constexpr std::string_view charset_names[charset_count] = {",
    ]
    for e, n, _ in CHARSETS:
        lines.append('    "%s",  // %s' % (n, e))
    lines.append("};")
    lines.append("")
    tables = {}
    for e, n, c in SINGLE_BYTE:
        key = c
        if key in tables:
            continue
        tables[key] = "sb_" + ("mail_latin1" if c == "mail-latin1" else e)
        vals = upper_half(c)
        lines.append("/// %s (Python codec %s), bytes 0x80-0xFF." %
                     ("US-ASCII and ISO-8859-1 read as windows-1252" if c == "mail-latin1" else n,
                      "cp1252 + Latin-1" if c == "mail-latin1" else c))
        lines.append("inline constexpr char16_t %s[128] = {" % tables[key])
        for row in range(0, 128, 8):
            lines.append("    " + " ".join("0x%04X," % v for v in vals[row:row + 8]))
        lines.append("};")
        lines.append("")
    lines.append("/// Single-byte table of each charset::id (nullptr: not a single-byte charset).")
    lines.append("inline constexpr const char16_t* single_byte_tables[charset_count] = {")
    for e, n, c in CHARSETS:
        lines.append("    %s,  // %s" % (tables.get(c, "nullptr"), e))
    lines.append("};")
    lines.append("")
    entries = []
    seen = set()
    for e, labels in LABELS.items():
        for label in labels:
            assert label == label.lower().strip() and label not in seen, label
            assert len(label) <= 24, label
            seen.add(label)
            entries.append((label, enum_index[e]))
    entries.sort()
    lines.append("/// One label of charset::find().")
    lines.append("struct label_entry {")
    lines.append("  std::string_view label;")
    lines.append("  std::uint8_t id;")
    lines.append("};")
    lines.append("")
    lines.append("/// Longest label, in bytes.")
    lines.append("inline constexpr std::size_t max_label_length = %d;" %
                 max(len(l) for l, _ in entries))
    lines.append("")
    lines.append("/// All labels, sorted by byte value (std::string_view comparison).")
    lines.append("inline constexpr label_entry labels[%d] = {" % len(entries))
    for label, i in entries:
        lines.append('    {"%s", %d},  // %s' % (label, i, CHARSETS[i][0]))
    lines.append("};")
    lines.append("")
    lines.append("}  // namespace mailwire::charset::detail")
    lines.append("")
    return "\n".join(lines)


def test_block():
    lines = ["// BEGIN GENERATED by scripts/gen_charsets.py: FNV-1a 64 of the UTF-8 of bytes 0x00-0xFF."]
    lines.append("const all_bytes_hash all_bytes_hashes[] = {")
    for e, n, c in SINGLE_BYTE:
        lines.append("    {charset::id::%s, 0x%016XULL}," % (e, fnv1a64(all_bytes_utf8(c))))
    lines.append("};")
    lines.append("// END GENERATED")
    return "\n".join(lines)


def splice_test(text):
    begin = text.index("// BEGIN GENERATED")
    end = text.index("// END GENERATED") + len("// END GENERATED")
    return text[:begin] + test_block() + text[end:]


def main():
    check = "--check" in sys.argv[1:]
    want_header = header_text()
    stale = []
    old = open(HEADER).read() if os.path.exists(HEADER) else ""
    if old != want_header:
        stale.append(HEADER)
        if not check:
            with open(HEADER, "w") as f:
                f.write(want_header)
    if os.path.exists(TEST):
        old_test = open(TEST).read()
        if "// BEGIN GENERATED" in old_test:
            new_test = splice_test(old_test)
            if new_test != old_test:
                stale.append(TEST)
                if not check:
                    with open(TEST, "w") as f:
                        f.write(new_test)
    if check and stale:
        print("out of date: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
