#!/usr/bin/env python3
"""Write the message corpus under tests/data/msg/ (run from anywhere).

    gen_corpus.py                 write invalid/* and invalid/EXPECTED, valid/* inputs
    gen_corpus.py --canon DMVGATE also write valid/*.canon.txt and *.canon.json with
                                  `DMVGATE msg check` / `msg convert` (golden files:
                                  review the diff before committing)

Each invalid case gives the exact error it must produce: code, field and byte
offset. In a case's message a '§' marks the expected offset and is removed
(text cases are then written as latin-1, so '\\xff' is the byte 0xff); cases
with no '§' expect offset -1 (JSON errors other than syntax and UTF-8).
test_msg_corpus.c and tests/e2e/msg_corpus.sh check every file.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
H = "DQ.AZ0070000.CO.TXT\n"
B = "OLN/D12345678.OLS/CO.PUR/C.ATN/DET J RIVERA"
R = "RQ.CO0160000.AZ.TXT\n"
I = "IQ.WI0130000.CO.TXT\n"
TAIL = ".PUR/C.ATN/DET J RIVERA"
VIN = "1M8GDM9AXKP042788"
DRH = "DR.AZ0070000.CO.TXT\n"
ERH = "ER.AZ0070000.CO.TXT\n"
RRH = "RR.CO0160000.AZ.TXT\n"
IRH = "IR.WI0130000.CO.TXT\n"
DRV = "REC/DRV.NAM/RIVERA,ANA MARIA.DOB/19850214"
PHOTO = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="


def dq(body):
    return H + body


def jreq(key="DQ", ori="AZ0070000", dest=("CO",), fields=None, **extra):
    d = {"key": key, "ori": ori, "dest": list(dest)}
    d.update(extra)
    d["fields"] = fields if fields is not None else {
        "OLN": "D12345678", "OLS": "CO", "PUR": "C", "ATN": "DET J RIVERA"}
    return json.dumps(d, separators=(",", ":"))


# (name, message, code, field or "" ) -- offset from the '§' marker
INVALID = [
    # header: key
    ("key-empty-message", "§", "EMSGHEADER", "KEY"),
    ("key-unknown", "§XX.AZ0070000.CO.TXT\n" + B, "EMSGKEY", "KEY"),
    ("key-lowercase", "§dq.AZ0070000.CO.TXT\n" + B, "EMSGKEY", "KEY"),
    ("key-three-letters", "§DQX.AZ0070000.CO.TXT\n" + B, "EMSGKEY", "KEY"),
    ("key-missing", "§.AZ0070000.CO.TXT\n" + B, "EMSGHEADER", "KEY"),
    ("key-dnq-not-supported", "§DNQ.AZ0070000.CO.TXT\nNAM/RIVERA,ANA" + TAIL, "EMSGKEY", "KEY"),
    ("key-only", "DQ§", "EMSGHEADER", "ORI"),
    # header: ORI
    ("ori-missing", "DQ.§\n" + B, "EMSGHEADER", "ORI"),
    ("ori-empty-part", "DQ.§.CO.TXT\n" + B, "EMSGHEADER", "ORI"),
    ("ori-8-chars", "DQ.§AZ007000.CO.TXT\n" + B, "EMSGORI", "ORI"),
    ("ori-10-chars", "DQ.§AZ00700000.CO.TXT\n" + B, "EMSGORI", "ORI"),
    ("ori-unknown-state", "DQ.§ZZ0070000.CO.TXT\n" + B, "EMSGORI", "ORI"),
    ("ori-lowercase", "DQ.§az0070000.CO.TXT\n" + B, "EMSGORI", "ORI"),
    ("ori-hyphen", "DQ.AZ007§-000.CO.TXT\n" + B, "EMSGORI", "ORI"),
    ("ori-space", "DQ.AZ§ 070000.CO.TXT\n" + B, "EMSGORI", "ORI"),
    ("ori-tab", "DQ.AZ00§\t0000.CO.TXT\n" + B, "EMSGCHAR", "ORI"),
    ("ori-numeric-prefix", "DQ.§120070000.CO.TXT\n" + B, "EMSGORI", "ORI"),
    # header: destinations
    ("dest-missing", "DQ.AZ0070000.§TXT\n" + B, "EMSGHEADER", "DEST"),
    ("dest-missing-no-txt", "DQ.AZ0070000§\n" + B, "EMSGHEADER", "DEST"),
    ("dest-unknown", "DQ.AZ0070000.§XX.TXT\n" + B, "EMSGDEST", "DEST"),
    ("dest-lowercase", "DQ.AZ0070000.§co.TXT\n" + B, "EMSGDEST", "DEST"),
    ("dest-three-letters", "DQ.AZ0070000.§COL.TXT\n" + B, "EMSGDEST", "DEST"),
    ("dest-empty-between-commas", "DQ.AZ0070000.CO,§,WI.TXT\n" + B, "EMSGDEST", "DEST"),
    ("dest-trailing-comma", "DQ.AZ0070000.CO,§.TXT\n" + B, "EMSGDEST", "DEST"),
    ("dest-leading-comma", "DQ.AZ0070000.§,CO.TXT\n" + B, "EMSGDEST", "DEST"),
    ("dest-six", "DQ.AZ0070000.CO,WI,CA,AZ,NY,§TX.TXT\n" + B, "EMSGDESTMAX", "DEST"),
    ("dest-six-nlets-periods", "DQ.AZ0070000.CO.WI.CA.AZ.NY.§TX.TXT\n" + B, "EMSGDESTMAX", "DEST"),
    ("dest-twice", "DQ.AZ0070000.CO,§CO.TXT\n" + B, "EMSGDESTDUP", "DEST"),
    ("dest-twice-two-parts", "DQ.AZ0070000.CO,WI.§CO.TXT\n" + B, "EMSGDESTDUP", "DEST"),
    ("dest-nl-and-state", "DQ.AZ0070000.NL,§CO.TXT\n" + B, "EMSGDESTDUP", "DEST"),
    ("dest-state-and-nl", "DQ.AZ0070000.CO,§NL.TXT\n" + B, "EMSGDESTDUP", "DEST"),
    ("dest-nl-twice", "DQ.AZ0070000.NL,§NL.TXT\n" + B, "EMSGDESTDUP", "DEST"),
    ("dest-space", "DQ.AZ0070000.CO,§ WI.TXT\n" + B, "EMSGDEST", "DEST"),
    ("dest-canada-province", "DQ.AZ0070000.§ON.TXT\n" + B, "EMSGDEST", "DEST"),
    # header: control field and TXT
    ("ctl-too-long", "DQ.AZ0070000.CO.*§ABCDEFGHIJK.TXT\n" + B, "EMSGCTL", "CTL"),
    ("ctl-empty", "DQ.AZ0070000.CO.*§.TXT\n" + B, "EMSGCTL", "CTL"),
    ("ctl-lowercase", "DQ.AZ0070000.CO.*R§x1.TXT\n" + B, "EMSGCTL", "CTL"),
    ("ctl-before-dest", "DQ.AZ0070000.§*R42.CO.TXT\n" + B, "EMSGHEADER", "DEST"),
    ("ctl-twice", "DQ.AZ0070000.CO.*R42.§*R43.TXT\n" + B, "EMSGHEADER", "CTL"),
    ("ctl-then-dest", "DQ.AZ0070000.CO.*R42.§WI.TXT\n" + B, "EMSGHEADER", "CTL"),
    ("txt-missing", "DQ.AZ0070000.CO§\n" + B, "EMSGHEADER", "TXT"),
    ("txt-empty-part", "DQ.AZ0070000.CO.§.TXT\n" + B, "EMSGHEADER", "TXT"),
    ("txt-lone-cr", "DQ.AZ0070000.CO.TXT§\r" + B, "EMSGCHAR", "TXT"),
    ("txt-lowercase", "DQ.AZ0070000.CO.§txt\n" + B, "EMSGDEST", "DEST"),
    # body syntax
    ("body-no-slash", H + "§OLN D12345678.OLS/CO" + TAIL, "EMSGSYNTAX", "OLN"),
    ("body-starts-with-period", H + "§.OLN/D12345678.OLS/CO" + TAIL, "EMSGSYNTAX", ""),
    ("body-line-break-then-period", H + B + ".\n§.CAS/1", "EMSGSYNTAX", ""),
    ("body-garbage", H + "§THISISNOTATAG" + TAIL, "EMSGSYNTAX", "THISISNO"),
    ("body-trailing-period", H + B + "§.", "EMSGPERIOD", "ATN"),
    ("body-trailing-period-newline", H + B + "§.\n", "EMSGPERIOD", "ATN"),
    ("body-trailing-period-blank-line", H + B + "§.\n\n", "EMSGPERIOD", "ATN"),
    ("body-trailing-three-periods", H + B + "..§.", "EMSGPERIOD", "ATN"),
    ("tag-unknown", H + B + ".§XYZ/1", "EMSGTAG", "XYZ"),
    ("tag-lowercase", H + "§oln/D12345678.OLS/CO" + TAIL, "EMSGTAG", "oln"),
    ("tag-two-letters", H + "§OL/D12345678.OLS/CO" + TAIL, "EMSGTAG", "OL"),
    ("tag-four-letters", H + "§OLNX/D12345678.OLS/CO" + TAIL, "EMSGTAG", "OLNX"),
    ("tag-dnq-nlets-only", H + B + ".§DLN/1", "EMSGTAG", "DLN"),
    ("tag-empty", H + B + ".§/X", "EMSGTAG", ""),
    ("byte-bell-in-value", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/DET§\x07J RIVERA", "EMSGCHAR", "ATN"),
    ("byte-ff-in-name", H + "NAM/RIVERA,AN§\xff.DOB/19850214" + TAIL, "EMSGCHAR", "NAM"),
    ("byte-nul-in-value", H + "OLN/D123§\x005678.OLS/CO" + TAIL, "EMSGCHAR", "OLN"),
    ("byte-tab-in-value", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/DET§\tJ RIVERA", "EMSGCHAR", "ATN"),
    ("byte-del-in-value", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/DET J§\x7f", "EMSGCHAR", "ATN"),
    ("byte-lf-in-value", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/DET§\nJ RIVERA", "EMSGCHAR", "ATN"),
    ("byte-crlf-in-value", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/DET§\r\nJ RIVERA", "EMSGCHAR", "ATN"),
    ("byte-utf8-in-text", H + "NAM/MU§\xc3\x91OZ,ANA.DOB/19850214" + TAIL, "EMSGCHAR", "NAM"),
    ("byte-escape-in-tag", H + "OL§\x1bN/D12345678.OLS/CO" + TAIL, "EMSGCHAR", ""),
    ("too-long", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/" + "A" * 40 + ".CAS/" +
     ("X" * 24 + ".CAS/") * 40 + "X", "EMSGTOOLONG", "", 1024),
    # tags in the wrong message
    ("dup-oln", H + "OLN/D12345678.§OLN/D12345678.OLS/CO" + TAIL, "EMSGDUPTAG", "OLN"),
    ("dup-pur", H + B + ".§PUR/C", "EMSGDUPTAG", "PUR"),
    ("dup-atn-different", H + B + ".§ATN/SGT LEE", "EMSGDUPTAG", "ATN"),
    ("tag-vin-in-dq", H + B + ".§VIN/" + VIN, "EMSGTAGKEY", "VIN"),
    ("tag-lic-in-dq", H + B + ".§LIC/ABC123", "EMSGTAGKEY", "LIC"),
    ("tag-oln-in-rq", R + "LIC/ABC123.LIS/AZ.§OLN/D1" + TAIL, "EMSGTAGKEY", "OLN"),
    ("tag-nam-in-rq", R + "§NAM/RIVERA,ANA.LIC/ABC123.LIS/AZ" + TAIL, "EMSGTAGKEY", "NAM"),
    ("tag-imq-in-iq", I + "OLN/D12345678.OLS/CO.§IMQ/Y" + TAIL, "EMSGTAGKEY", "IMQ"),
    ("tag-imq-in-rq", R + "LIC/ABC123.LIS/AZ.§IMQ/Y" + TAIL, "EMSGTAGKEY", "IMQ"),
    ("tag-mid-in-dq", H + B + ".§MID/X1", "EMSGTAGKEY", "MID"),
    ("tag-sts-in-dq", H + B + ".§STS/FOUND", "EMSGTAGKEY", "STS"),
    ("tag-rec-in-dq", H + B + ".§REC/DRV", "EMSGTAGKEY", "REC"),
    ("tag-hgt-in-dq", H + B + ".§HGT/510", "EMSGTAGKEY", "HGT"),
    ("tag-erc-in-dq", H + B + ".§ERC/300", "EMSGTAGKEY", "ERC"),
    ("tag-ert-long-escaped-in-dq", H + B + ".§ERT/" + "A.." * 100, "EMSGTAGKEY", "ERT"),
    ("empty-oln", H + "OLN/§.OLS/CO" + TAIL, "EMSGEMPTY", "OLN"),
    ("empty-pur", H + "OLN/D12345678.OLS/CO.PUR/§.ATN/X", "EMSGEMPTY", "PUR"),
    ("empty-atn-last", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/§", "EMSGEMPTY", "ATN"),
    # whole-message rules
    ("missing-pur", H + "OLN/D12345678.OLS/CO.ATN/DET J RIVERA§", "EMSGMISSING", "PUR"),
    ("missing-atn", H + "OLN/D12345678.OLS/CO.PUR/C§", "EMSGMISSING", "ATN"),
    ("missing-ols", H + "OLN/D12345678" + TAIL + "§", "EMSGMISSING", "OLS"),
    ("missing-oln", H + "OLS/CO" + TAIL + "§", "EMSGMISSING", "OLN"),
    ("missing-dob", H + "NAM/RIVERA,ANA" + TAIL + "§", "EMSGMISSING", "DOB"),
    ("missing-nam-dob-only", H + "DOB/19850214" + TAIL + "§", "EMSGMISSING", "NAM"),
    ("missing-nam-sex-only", H + "SEX/F" + TAIL + "§", "EMSGMISSING", "NAM"),
    ("missing-identifier-dq", H + "PUR/C.ATN/DET J RIVERA§", "EMSGMISSING", "OLN"),
    ("missing-identifier-iq", I + "PUR/C.ATN/DET J RIVERA§", "EMSGMISSING", "OLN"),
    ("missing-everything", "DQ.AZ0070000.CO.TXT§", "EMSGMISSING", "OLN"),
    ("missing-everything-newline", "DQ.AZ0070000.CO.TXT§\n", "EMSGMISSING", "OLN"),
    ("ident-oln-and-nam", H + "OLN/D12345678.OLS/CO.§NAM/RIVERA,ANA.DOB/19850214" + TAIL,
     "EMSGIDENT", "NAM"),
    ("ident-ols-and-dob", H + "OLS/CO.§DOB/19850214" + TAIL, "EMSGIDENT", "DOB"),
    ("ident-iq-oln-and-sex", I + "OLN/D12345678.OLS/CO.§SEX/F" + TAIL, "EMSGIDENT", "SEX"),
    ("missing-lis", R + "LIC/ABC123" + TAIL + "§", "EMSGMISSING", "LIS"),
    ("missing-lic", R + "LIS/AZ" + TAIL + "§", "EMSGMISSING", "LIC"),
    ("missing-lic-lit-only", R + "LIT/PC" + TAIL + "§", "EMSGMISSING", "LIC"),
    ("missing-lic-liy-only", R + "LIY/2027" + TAIL + "§", "EMSGMISSING", "LIC"),
    ("missing-identifier-rq", R + "PUR/T.ATN/OFC LEE§", "EMSGMISSING", "LIC"),
    ("ident-lic-and-vin", R + "LIC/ABC123.LIS/AZ.§VIN/" + VIN + TAIL, "EMSGIDENT", "VIN"),
    # values: license number and states
    ("oln-lowercase", H + "OLN/D1234§a678.OLS/CO" + TAIL, "EMSGOLN", "OLN"),
    ("oln-space", H + "OLN/D1234§ 678.OLS/CO" + TAIL, "EMSGOLN", "OLN"),
    ("oln-period", H + "OLN/D12§..34.OLS/CO" + TAIL, "EMSGOLN", "OLN"),
    ("oln-slash", H + "OLN/D12§/34.OLS/CO" + TAIL, "EMSGOLN", "OLN"),
    ("oln-21-chars", H + "OLN/§" + "D" * 21 + ".OLS/CO" + TAIL, "EMSGFIELDLEN", "OLN"),
    ("oln-only-punctuation", H + "OLN/§*-.OLS/CO" + TAIL, "EMSGOLN", "OLN"),
    ("ols-unknown", H + "OLN/D12345678.OLS/§XX" + TAIL, "EMSGSTATE", "OLS"),
    ("ols-one-letter", H + "OLN/D12345678.OLS/§C" + TAIL, "EMSGSTATE", "OLS"),
    ("ols-lowercase", H + "OLN/D12345678.OLS/§co" + TAIL, "EMSGSTATE", "OLS"),
    ("ols-nl", H + "OLN/D12345678.OLS/§NL" + TAIL, "EMSGSTATE", "OLS"),
    ("lis-unknown", R + "LIC/ABC123.LIS/§QQ" + TAIL, "EMSGSTATE", "LIS"),
    # plates
    ("plate-hyphen", R + "LIC/ABC§-123.LIS/AZ" + TAIL, "EMSGPLATE", "LIC"),
    ("plate-space", R + "LIC/ABC§ 123.LIS/AZ" + TAIL, "EMSGPLATE", "LIC"),
    ("plate-lowercase", R + "LIC/§abc123.LIS/AZ" + TAIL, "EMSGPLATE", "LIC"),
    ("plate-star", R + "LIC/ABC12§*.LIS/AZ" + TAIL, "EMSGPLATE", "LIC"),
    ("plate-11-chars", R + "LIC/§ABCDEFGHIJK.LIS/AZ" + TAIL, "EMSGFIELDLEN", "LIC"),
    ("lit-digit", R + "LIC/ABC123.LIS/AZ.LIT/§P1" + TAIL, "EMSGVALUE", "LIT"),
    ("lit-three", R + "LIC/ABC123.LIS/AZ.LIT/§PCX" + TAIL, "EMSGFIELDLEN", "LIT"),
    ("liy-two-digits", R + "LIC/ABC123.LIS/AZ.LIY/§26" + TAIL, "EMSGDATE", "LIY"),
    ("liy-1899", R + "LIC/ABC123.LIS/AZ.LIY/§1899" + TAIL, "EMSGDATE", "LIY"),
    ("liy-letter", R + "LIC/ABC123.LIS/AZ.LIY/§2O26" + TAIL, "EMSGDATE", "LIY"),
    # VIN
    ("vin-16-chars", R + "VIN/§1M8GDM9AXKP04278" + TAIL, "EMSGVIN", "VIN"),
    ("vin-18-chars", R + "VIN/§1M8GDM9AXKP0427888" + TAIL, "EMSGFIELDLEN", "VIN"),
    ("vin-letter-i", R + "VIN/1M8GDM9AXKP§I42788" + TAIL, "EMSGVIN", "VIN"),
    ("vin-letter-o", R + "VIN/1M8GDM9AXKP§O42788" + TAIL, "EMSGVIN", "VIN"),
    ("vin-letter-q", R + "VIN/§Q M8GDM9AXKP042788".replace(" ", "") + TAIL, "EMSGVIN", "VIN"),
    ("vin-lowercase", R + "VIN/1m8GDM9AXKP042788".replace("1m", "1§m") + TAIL, "EMSGVIN", "VIN"),
    ("vin-check-digit", R + "VIN/1M8GDM9A§1KP042788" + TAIL, "EMSGVIN", "VIN"),
    ("vin-check-digit-x-wrong", R + "VIN/1HGCM826§X3A004352" + TAIL, "EMSGVIN", "VIN"),
    ("vin-space", R + "VIN/1M8GDM9AXK§ 042788" + TAIL, "EMSGVIN", "VIN"),
    # names
    ("name-no-comma", H + "NAM/§RIVERA ANA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-two-commas", H + "NAM/RIVERA,ANA§,MARIA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-space-after-comma", H + "NAM/RIVERA§, ANA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-space-before-comma", H + "NAM/RIVERA §,ANA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-lowercase", H + "NAM/R§ivera,ANA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-digit", H + "NAM/RIVERA,ANA §3.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-no-last", H + "NAM/§,ANA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-no-first", H + "NAM/RIVERA§,.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-double-space", H + "NAM/RIVERA,ANA § MARIA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-trailing-space", H + "NAM/RIVERA,ANA§ .DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-leading-hyphen", H + "NAM/§-RIVERA,ANA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-51-chars", H + "NAM/§" + "A" * 30 + "," + "B" * 20 + ".DOB/19850214" + TAIL,
     "EMSGFIELDLEN", "NAM"),
    ("name-period", H + "NAM/ST§.. JOHN,ANA.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    ("name-only-comma", H + "NAM/§,.DOB/19850214" + TAIL, "EMSGNAME", "NAM"),
    # dates of birth
    ("dob-7-digits", H + "NAM/RIVERA,ANA.DOB/§1985021" + TAIL, "EMSGDATE", "DOB"),
    ("dob-letters", H + "NAM/RIVERA,ANA.DOB/§1985FEB14" + TAIL, "EMSGFIELDLEN", "DOB"),
    ("dob-dashes", H + "NAM/RIVERA,ANA.DOB/§85-02-14" + TAIL, "EMSGDATE", "DOB"),
    ("dob-feb-30", H + "NAM/RIVERA,ANA.DOB/§19850230" + TAIL, "EMSGDATE", "DOB"),
    ("dob-feb-29-not-leap", H + "NAM/RIVERA,ANA.DOB/§19850229" + TAIL, "EMSGDATE", "DOB"),
    ("dob-feb-29-1900", H + "NAM/RIVERA,ANA.DOB/§19000229" + TAIL, "EMSGDATE", "DOB"),
    ("dob-month-13", H + "NAM/RIVERA,ANA.DOB/§19851301" + TAIL, "EMSGDATE", "DOB"),
    ("dob-month-00", H + "NAM/RIVERA,ANA.DOB/§19850001" + TAIL, "EMSGDATE", "DOB"),
    ("dob-day-00", H + "NAM/RIVERA,ANA.DOB/§19850200" + TAIL, "EMSGDATE", "DOB"),
    ("dob-april-31", H + "NAM/RIVERA,ANA.DOB/§19850431" + TAIL, "EMSGDATE", "DOB"),
    ("dob-future", H + "NAM/RIVERA,ANA.DOB/§21500101" + TAIL, "EMSGDATE", "DOB"),
    ("dob-before-1900", H + "NAM/RIVERA,ANA.DOB/§18991231" + TAIL, "EMSGDATE", "DOB"),
    ("dob-zeros", H + "NAM/RIVERA,ANA.DOB/§00000000" + TAIL, "EMSGDATE", "DOB"),
    ("dob-mmddyy-feb-30", H + "NAM/RIVERA,ANA.DOB/§023085" + TAIL, "EMSGDATE", "DOB"),
    ("dob-mmddyy-month-13", H + "NAM/RIVERA,ANA.DOB/§130185" + TAIL, "EMSGDATE", "DOB"),
    ("dob-mmddyy-5-digits", H + "NAM/RIVERA,ANA.DOB/§02148" + TAIL, "EMSGDATE", "DOB"),
    # coded values
    ("sex-q", H + "NAM/RIVERA,ANA.DOB/19850214.SEX/§Q" + TAIL, "EMSGVALUE", "SEX"),
    ("sex-word", H + "NAM/RIVERA,ANA.DOB/19850214.SEX/§MALE" + TAIL, "EMSGFIELDLEN", "SEX"),
    ("sex-lowercase", H + "NAM/RIVERA,ANA.DOB/19850214.SEX/§f" + TAIL, "EMSGVALUE", "SEX"),
    ("rsn-z", H + "RSN/§Z." + B, "EMSGVALUE", "RSN"),
    ("rsn-two", H + "RSN/§NF." + B, "EMSGFIELDLEN", "RSN"),
    ("imq-x", H + "OLN/D12345678.OLS/CO.IMQ/§X" + TAIL, "EMSGVALUE", "IMQ"),
    ("imq-yes", H + "OLN/D12345678.OLS/CO.IMQ/§YES" + TAIL, "EMSGFIELDLEN", "IMQ"),
    ("pur-unknown", H + "OLN/D12345678.OLS/CO.PUR/§Q.ATN/X", "EMSGPURPOSE", "PUR"),
    ("pur-lowercase", H + "OLN/D12345678.OLS/CO.PUR/§c.ATN/X", "EMSGPURPOSE", "PUR"),
    ("pur-word", H + "OLN/D12345678.OLS/CO.PUR/§CRIMINAL.ATN/X", "EMSGFIELDLEN", "PUR"),
    ("pur-digit", H + "OLN/D12345678.OLS/CO.PUR/§1.ATN/X", "EMSGPURPOSE", "PUR"),
    ("atn-leading-space", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/§ DET J RIVERA", "EMSGVALUE", "ATN"),
    ("atn-trailing-space", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/DET J RIVERA§ ", "EMSGVALUE", "ATN"),
    ("atn-41-chars", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/§" + "A" * 41, "EMSGFIELDLEN", "ATN"),
    ("atn-41-with-escaped-periods", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/§" + "A.." * 21,
     "EMSGFIELDLEN", "ATN"),
    ("cas-space", H + B + ".CAS/2026§ 1", "EMSGVALUE", "CAS"),
    ("cas-lowercase", H + B + ".CAS/§cr-1", "EMSGVALUE", "CAS"),
    ("cas-25-chars", H + B + ".CAS/§" + "1" * 25, "EMSGFIELDLEN", "CAS"),
    ("cas-period", H + B + ".CAS/2026§..1", "EMSGVALUE", "CAS"),
    # legal process
    ("leg-unknown-kind", H + B + ".LEG/§XX 123", "EMSGLEG", "LEG"),
    ("leg-no-number", H + B + ".LEG/§JW", "EMSGLEG", "LEG"),
    ("leg-none-with-number", H + B + ".LEG/NO§ 123", "EMSGLEG", "LEG"),
    ("leg-no-space", H + B + ".LEG/§JW2026", "EMSGLEG", "LEG"),
    ("leg-lowercase", H + B + ".LEG/§jw 1", "EMSGLEG", "LEG"),
    ("leg-space-in-number", H + B + ".LEG/JW 2026§ CR", "EMSGLEG", "LEG"),
    ("leg-one-letter", H + B + ".LEG/§J", "EMSGLEG", "LEG"),
    ("leg-space-only", H + B + ".LEG/§AW ", "EMSGLEG", "LEG"),
    ("leg-word", H + B + ".LEG/§WARRANT", "EMSGLEG", "LEG"),
    ("leg-number-too-long", H + B + ".LEG/§JW " + "1" * 25, "EMSGFIELDLEN", "LEG"),
    # responses
    ("resp-missing-mid", DRH + "STS/NOTFOUND§", "EMSGMISSING", "MID"),
    ("resp-missing-sts", DRH + "MID/01J7ZK3§", "EMSGMISSING", "STS"),
    ("resp-dr-denied", DRH + "MID/01J7ZK3.STS/§DENIED", "EMSGSTATUS", "STS"),
    ("resp-er-found", ERH + "MID/01J7ZK3.STS/§FOUND.ERC/300.ERT/X", "EMSGSTATUS", "STS"),
    ("resp-sts-unknown", DRH + "MID/01J7ZK3.STS/§MAYBE", "EMSGVALUE", "STS"),
    ("resp-found-no-record", DRH + "MID/01J7ZK3.STS/FOUND§", "EMSGRECORD", "STS"),
    ("resp-notfound-with-record", DRH + "MID/01J7ZK3.STS/NOTFOUND.\n" + DRV + "§", "EMSGRECORD",
     "REC"),
    ("resp-held-with-record", DRH + "MID/01J7ZK3.STS/HELD.\n" + DRV + "§", "EMSGRECORD", "REC"),
    ("resp-er-missing-erc", ERH + "MID/01J7ZK3.STS/INVALID.ERT/bad§", "EMSGMISSING", "ERC"),
    ("resp-er-missing-ert", ERH + "MID/01J7ZK3.STS/INVALID.ERC/316§", "EMSGMISSING", "ERT"),
    ("resp-er-denied-no-rule", ERH + "MID/01J7ZK3.STS/DENIED.ERC/400.ERT/refused§",
     "EMSGMISSING", "RUL"),
    ("resp-er-invalid-with-rule", ERH + "MID/01J7ZK3.STS/INVALID.ERC/316.ERT/x.RUL/r§",
     "EMSGTAGKEY", "RUL"),
    ("resp-er-with-record", ERH + "MID/01J7ZK3.STS/FAILED.ERC/900.ERT/down.\n§REC/DRV",
     "EMSGRECORD", "REC"),
    ("resp-dr-with-erc", DRH + "MID/01J7ZK3.STS/NOTFOUND.§ERC/300", "EMSGTAGKEY", "ERC"),
    ("resp-rr-with-drv", RRH + "MID/01J7ZK3.STS/FOUND.\n§" + DRV, "EMSGRECORD", "REC"),
    ("resp-ir-with-veh", IRH + "MID/01J7ZK3.STS/FOUND.\n§REC/VEH.LIC/ABC123", "EMSGRECORD", "REC"),
    ("resp-field-before-rec", DRH + "MID/01J7ZK3.STS/FOUND.§NAM/RIVERA,ANA", "EMSGRECORD", "NAM"),
    ("resp-rec-unknown", DRH + "MID/01J7ZK3.STS/FOUND.\nREC/§PER.NAM/RIVERA,ANA", "EMSGRECORD",
     "REC"),
    ("resp-mid-after-record", DRH + "STS/FOUND.\n" + DRV + ".§MID/01J7ZK3", "EMSGTAGKEY", "MID"),
    ("resp-vin-in-drv", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".§VIN/" + VIN, "EMSGTAGKEY",
     "VIN"),
    ("resp-dup-in-record", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".§NAM/RIVERA,ANA",
     "EMSGDUPTAG", "NAM"),
    ("resp-pur-in-dr", DRH + "MID/01J7ZK3.§PUR/C.STS/NOTFOUND", "EMSGTAGKEY", "PUR"),
    ("resp-photo-no-type", IRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".PHO/" + PHOTO + "§",
     "EMSGMISSING", "PMT"),
    ("resp-type-no-photo", IRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".PMT/image/png§",
     "EMSGMISSING", "PHO"),
    ("resp-photo-length", IRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".PHO/§abcde.PMT/image/png",
     "EMSGPHOTO", "PHO"),
    ("resp-photo-char", IRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".PHO/ab§*d.PMT/image/png",
     "EMSGPHOTO", "PHO"),
    ("resp-photo-gif", IRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".PHO/" + PHOTO +
     ".PMT/§image/gif", "EMSGPHOTO", "PMT"),
    ("resp-height-12-inches", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".HGT/§512", "EMSGVALUE",
     "HGT"),
    ("resp-eye-unknown", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".EYE/§PUR", "EMSGVALUE", "EYE"),
    ("resp-status-active", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".STA/§ACTIVE", "EMSGVALUE",
     "STA"),
    ("resp-iss-feb-31", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".ISS/§20210231", "EMSGDATE",
     "ISS"),
    ("resp-exp-year-2200", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".EXP/§22000101", "EMSGDATE",
     "EXP"),
    ("resp-lpf-x", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".LPF/§X", "EMSGVALUE", "LPF"),
    ("resp-colour-word", RRH + "MID/01J7ZK3.STS/FOUND.\nREC/VEH.LIC/ABC123.VCO/§BLACK",
     "EMSGVALUE", "VCO"),
    ("resp-make-lowercase", RRH + "MID/01J7ZK3.STS/FOUND.\nREC/VEH.LIC/ABC123.VMA/§toyt",
     "EMSGVALUE", "VMA"),
    ("resp-owner-trailing-space", RRH + "MID/01J7ZK3.STS/FOUND.\nREC/VEH.LIC/ABC123.OWN/ACME LLC§ ",
     "EMSGVALUE", "OWN"),
    ("resp-two-sources", "DR.AZ0070000.§CO,WI.TXT\nMID/01J7ZK3.STS/NOTFOUND", "EMSGHEADER", "DEST"),
    ("resp-erc-zero", ERH + "MID/01J7ZK3.STS/INVALID.ERC/§0.ERT/x", "EMSGVALUE", "ERC"),
    ("resp-erc-leading-zero", ERH + "MID/01J7ZK3.STS/INVALID.ERC/§0316.ERT/x", "EMSGVALUE", "ERC"),
    ("resp-ero-negative", ERH + "MID/01J7ZK3.STS/INVALID.ERC/316.ERO/§-1.ERT/x", "EMSGVALUE", "ERO"),
    ("resp-mid-period", DRH + "MID/01J§..7.STS/NOTFOUND", "EMSGVALUE", "MID"),
    ("resp-mid-41-chars", DRH + "MID/§" + "A" * 41 + ".STS/NOTFOUND", "EMSGFIELDLEN", "MID"),
    ("resp-21-records", DRH + "MID/01J7ZK3.STS/FOUND" + ".\nREC/DRV.SEX/F" * 20 + ".\n§REC/DRV",
     "EMSGRECORD", "REC"),
    ("resp-ori-bad", "DR.§ZZ0070000.CO.TXT\nMID/01J7ZK3.STS/NOTFOUND", "EMSGORI", "ORI"),
]

J = '{"key":"DQ","ori":"AZ0070000","dest":["CO"],"fields":{"OLN":"D12345678","OLS":"CO","PUR":"C",'
JE = '"ATN":"DET J RIVERA"}}'
JR = '{"key":"DR","ori":"AZ0070000","src":"CO","fields":{"MID":"01J7ZK3","STS":"FOUND"},'

# JSON cases: (name, message (str, or bytes when it holds non-UTF-8), code, field)
INVALID_JSON = [
    # cJSON reports where it stopped: sometimes a byte after the culprit
    ("json-unclosed", '{"key":"DQ§"', "EMSGJSON", ""),
    ("json-empty-object", "{}", "EMSGHEADER", "KEY"),
    ("json-trailing-text", J + JE + " §x", "EMSGJSON", ""),
    ("json-two-objects", J + JE + "§{}", "EMSGJSON", ""),
    ("json-single-quotes", "{'§key':'DQ'}", "EMSGJSON", ""),
    ("json-trailing-comma", J + '"ATN":"DET J RIVERA",}§}', "EMSGJSON", ""),
    ("json-bad-utf8", (J + '"ATN":"DET J R§\xc3(VERA"}}'), "EMSGUTF8", ""),
    ("json-overlong-utf8", (J + '"ATN":"DET J R§\xc0\xafVERA"}}'), "EMSGUTF8", ""),
    ("json-surrogate-utf8", (J + '"ATN":"DET J R§\xed\xa0\x80VERA"}}'), "EMSGUTF8", ""),
    ("json-truncated-utf8", (J + '"ATN":"DET J R§\xe2\x82"}}'), "EMSGUTF8", ""),
    ("json-f5-byte", (J + '"ATN":"DET J R§\xf5\x80\x80\x80"}}'), "EMSGUTF8", ""),
    ("json-above-10ffff", (J + '"ATN":"DET J R§\xf4\x90\x80\x80"}}'), "EMSGUTF8", ""),
    ("json-nul-escape", J + '"ATN":"DET J R§\\u0000IVERA"}}', "EMSGCHAR", ""),
    ("json-nul-escape-in-key", '{"key":"DQ","ori":"AZ0070000","dest":["CO"],"fields":{"OL§\\u0000N":"D1"}}',
     "EMSGCHAR", ""),
    ("json-non-ascii-name",
     '{"key":"DQ","ori":"AZ0070000","dest":["CO"],"fields":{"NAM":"MU\u00d1OZ,ANA","DOB":"19850214","PUR":"C","ATN":"X"}}'
     .encode("utf-8"), "EMSGCHAR", "NAM"),
    ("json-control-char-escaped", J + '"ATN":"DET\\tJ RIVERA"}}', "EMSGCHAR", "ATN"),
    ("json-dup-key", '{"key":"DQ","key":"DQ","ori":"AZ0070000","dest":["CO"],"fields":{}}',
     "EMSGJSONDUP", "KEY"),
    ("json-dup-fields", J + JE[:-1] + ',"fields":{}}', "EMSGJSONDUP", "fields"),
    ("json-dup-tag", J + '"OLN":"D12345678",' + JE, "EMSGDUPTAG", "OLN"),
    ("json-dup-tag-escaped", J + '"O\\u004cN":"D12345678",' + JE, "EMSGDUPTAG", "OLN"),
    ("json-unknown-member", '{"key":"DQ","ori":"AZ0070000","dest":["CO"],"foo":1,"fields":{}}',
     "EMSGJSONKEY", "foo"),
    ("json-unknown-tag", J + '"XYZ":"1",' + JE, "EMSGTAG", "XYZ"),
    ("json-lowercase-tag", J + '"atn":"X"}}', "EMSGTAG", "atn"),
    ("json-number-value", J.replace('"OLN":"D12345678"', '"OLN":12345678') + JE, "EMSGJSONTYPE",
     "OLN"),
    ("json-null-value", J + '"ATN":null}}', "EMSGJSONTYPE", "ATN"),
    ("json-bool-value", J + '"ATN":true}}', "EMSGJSONTYPE", "ATN"),
    ("json-array-value", J + '"ATN":["DET"]}}', "EMSGJSONTYPE", "ATN"),
    ("json-dest-string", jreq(dest="CO").replace('["C","O"]', '"CO"'), "EMSGJSONTYPE", "DEST"),
    ("json-dest-empty", jreq(dest=()), "EMSGHEADER", "DEST"),
    ("json-dest-number", jreq().replace('["CO"]', '[5]'), "EMSGJSONTYPE", "DEST"),
    ("json-dest-unknown", jreq(dest=("XX",)), "EMSGDEST", "DEST"),
    ("json-dest-six", jreq(dest=("CO", "WI", "CA", "AZ", "NY", "TX")), "EMSGDESTMAX", "DEST"),
    ("json-dest-twice", jreq(dest=("CO", "CO")), "EMSGDESTDUP", "DEST"),
    ("json-dest-comma-list", jreq(dest=("CO,WI",)), "EMSGDEST", "DEST"),
    ("json-fields-array", jreq().split(',"fields"')[0] + ',"fields":[]}', "EMSGJSONTYPE", ""),
    ("json-key-number", '{"key":1,"ori":"AZ0070000","dest":["CO"],"fields":{}}', "EMSGJSONTYPE",
     "KEY"),
    ("json-key-unknown", '{"key":"XQ","ori":"AZ0070000","dest":["CO"],"fields":{}}', "EMSGKEY",
     "KEY"),
    ("json-missing-ori", '{"key":"DQ","dest":["CO"],"fields":{}}', "EMSGHEADER", "ORI"),
    ("json-missing-dest", '{"key":"DQ","ori":"AZ0070000","fields":{}}', "EMSGHEADER", "DEST"),
    ("json-bad-ori", jreq(ori="AZ00700"), "EMSGORI", "ORI"),
    ("json-ctl-bad", jreq(ctl="r-1"), "EMSGCTL", "CTL"),
    ("json-ctl-number", jreq().replace('"fields"', '"ctl":42,"fields"'), "EMSGJSONTYPE", "CTL"),
    ("json-src-in-request", jreq().replace('"fields"', '"src":"CO","fields"'), "EMSGJSONKEY", "SRC"),
    ("json-missing-fields", '{"key":"DQ","ori":"AZ0070000","dest":["CO"]}', "EMSGMISSING", "OLN"),
    ("json-missing-pur", jreq(fields={"OLN": "D12345678", "OLS": "CO", "ATN": "X"}),
     "EMSGMISSING", "PUR"),
    ("json-period-in-oln", jreq(fields={"OLN": "D12.34", "OLS": "CO", "PUR": "C", "ATN": "X"}),
     "EMSGOLN", "OLN"),
    ("json-escaped-period-is-literal",
     jreq(fields={"OLN": "D12..34", "OLS": "CO", "PUR": "C", "ATN": "X"}), "EMSGOLN", "OLN"),
    ("json-vin-in-dq", jreq(fields={"OLN": "D1", "OLS": "CO", "PUR": "C", "ATN": "X", "VIN": VIN}),
     "EMSGTAGKEY", "VIN"),
    ("json-bad-dob", jreq(fields={"NAM": "RIVERA,ANA", "DOB": "19850230", "PUR": "C", "ATN": "X"}),
     "EMSGDATE", "DOB"),
    ("json-too-long", jreq(fields={"OLN": "D1", "OLS": "CO", "PUR": "C", "ATN": "X",
                                   "CAS": "1"}).replace('"CAS"', ' ' * 4000 + '"CAS"'),
     "EMSGTOOLONG", "", 4096),
    ("json-resp-dest", '{"key":"DR","ori":"AZ0070000","dest":["CO"],"fields":{}}', "EMSGJSONKEY",
     "DEST"),
    ("json-resp-no-src", '{"key":"DR","ori":"AZ0070000","fields":{}}', "EMSGHEADER", "SRC"),
    ("json-resp-bad-src", '{"key":"DR","ori":"AZ0070000","src":"XX","fields":{}}', "EMSGDEST",
     "SRC"),
    ("json-resp-records-object", JR + '"records":{}}', "EMSGJSONTYPE", "REC"),
    ("json-resp-record-no-rec", JR + '"records":[{"NAM":"RIVERA,ANA"}]}', "EMSGMISSING", "REC"),
    ("json-resp-record-two-rec", JR + '"records":[{"REC":"DRV","REC":"VEH"}]}', "EMSGDUPTAG",
     "REC"),
    ("json-resp-record-not-object", JR + '"records":["DRV"]}', "EMSGJSONTYPE", "REC"),
    ("json-resp-record-field-in-fields",
     '{"key":"DR","ori":"AZ0070000","src":"CO","fields":{"MID":"01J7ZK3","STS":"FOUND","NAM":"RIVERA,ANA"}}',
     "EMSGTAGKEY", "NAM"),
    ("json-resp-mid-in-record", JR + '"records":[{"REC":"DRV","MID":"X"}]}', "EMSGTAGKEY", "MID"),
    ("json-resp-found-no-records", JR + '"records":[]}', "EMSGRECORD", "STS"),
    ("json-resp-er-records",
     '{"key":"ER","ori":"AZ0070000","src":"CO","fields":{"MID":"1","STS":"FAILED","ERC":"900","ERT":"down"},"records":[{"REC":"DRV"}]}',
     "EMSGRECORD", "REC"),
    ("json-resp-bad-name-in-record", JR + '"records":[{"REC":"DRV","NAM":"RIVERA ANA"}]}',
     "EMSGNAME", "NAM"),
]

# Valid messages: (name, message). Their canonical forms are golden files.
VALID = [
    ("dq-oln", H + B),
    ("dq-nam-dob-sex", H + "NAM/RIVERA,ANA MARIA.DOB/19850214.SEX/F" + TAIL),
    ("dq-nam-dob", H + "NAM/NGUYEN,MAI.DOB/19991231" + TAIL),
    ("dq-imq-y", H + "OLN/D12345678.OLS/CO.IMQ/Y" + TAIL),
    ("dq-imq-n", H + "OLN/D12345678.OLS/CO.IMQ/N" + TAIL),
    ("dq-rsn", H + "RSN/V." + B),
    ("dq-cas-leg-jw", H + B + ".CAS/2026-CR-0412.LEG/JW 2026-CR-0412"),
    ("dq-leg-co", H + B + ".LEG/CO 26-1187"),
    ("dq-leg-gj", H + B + ".LEG/GJ GJ-2026/14"),
    ("dq-leg-aw", H + B + ".LEG/AW I-200-4471"),
    ("dq-leg-as", H + B + ".LEG/AS 2026-0093"),
    ("dq-leg-no", H + B + ".LEG/NO"),
    ("dq-dob-mmddyy", H + "NAM/RIVERA,ANA.DOB/021485.SEX/F" + TAIL),
    ("dq-dob-mmddyy-2000s", H + "NAM/RIVERA,ANA.DOB/010105" + TAIL),
    ("dq-out-of-order", H + "ATN/DET J RIVERA.PUR/C.OLS/CO.OLN/D12345678"),
    ("dq-ctl", "DQ.AZ0070000.CO.*R42.TXT\n" + B),
    ("dq-nl", "DQ.AZ0070000.NL.TXT\nNAM/RIVERA,ANA.DOB/19850214" + TAIL),
    ("dq-five-dest", "DQ.AZ0070000.CO,WI,CA,AZ,NY.TXT\nNAM/RIVERA,ANA.DOB/19850214" + TAIL),
    ("dq-dest-nlets-periods", "DQ.AZ0070000.CO.WI.CA.TXT\nNAM/RIVERA,ANA.DOB/19850214" + TAIL),
    ("dq-dest-mixed", "DQ.AZ0070000.CO,WI.CA.*A1.TXT\nNAM/RIVERA,ANA.DOB/19850214" + TAIL),
    ("dq-nlets-one-line", "DQ.AZ0070000.CO.TXT" + B),
    ("dq-crlf", "DQ.AZ0070000.CO.TXT\r\n" + B + "\r\n"),
    ("dq-trailing-newline", H + B + "\n"),
    ("dq-line-breaks", H + "OLN/D12345678.\nOLS/CO.\r\nPUR/C.\nATN/DET J RIVERA"),
    ("dq-atn-period", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/DET J.. RIVERA"),
    ("dq-atn-ends-period", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/SGT R.. LEE JR.."),
    ("dq-atn-period-then-sep", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/SGT R.. LEE JR...CAS/1"),
    ("dq-oln-wa", "DQ.WA0170000.WA.TXT\nOLN/WDL*AB12-3CD.OLS/WA" + TAIL),
    ("dq-name-punct", H + "NAM/O'BRIEN-SMITH,MARY ANNE K.DOB/19700101.SEX/X" + TAIL),
    ("dq-leap-day", H + "NAM/RIVERA,ANA.DOB/20000229" + TAIL),
    ("dq-dob-1900", H + "NAM/RIVERA,ANA.DOB/19000101" + TAIL),
    ("dq-territory", "DQ.GU0010000.PR,VI,DC.TXT\nOLN/12345.OLS/DC" + TAIL),
    ("dq-pur-t", H + "OLN/D12345678.OLS/CO.PUR/T.ATN/TROOPER 114"),
    ("dq-pur-j", H + "OLN/D12345678.OLS/CO.PUR/J.ATN/CLERK OF COURT"),
    ("dq-pur-e", H + "OLN/D12345678.OLS/CO.PUR/E.ATN/HR BACKGROUND UNIT"),
    ("dq-pur-f", H + "OLN/D12345678.OLS/CO.PUR/F.ATN/FIREARMS UNIT"),
    ("dq-pur-i", "DQ.DCICE0000.CO.TXT\nNAM/RIVERA,ANA.DOB/19850214.PUR/I.ATN/DO SMITH.LEG/AW I-205"),
    ("dq-pur-x", H + "OLN/D12345678.OLS/CO.PUR/X.ATN/ANALYST 7.CAS/TIP-0091"),
    ("dq-atn-max", H + "OLN/D12345678.OLS/CO.PUR/C.ATN/" + "A" * 40),
    ("iq-oln", I + "OLN/D12345678.OLS/CO" + TAIL),
    ("iq-nam-dob", I + "NAM/RIVERA,ANA.DOB/19850214.SEX/F" + TAIL),
    ("rq-plate", R + "LIC/ABC123.LIS/AZ.PUR/T.ATN/OFC LEE"),
    ("rq-plate-full", R + "LIC/ABC123.LIS/AZ.LIT/PC.LIY/2027.PUR/T.ATN/OFC LEE"),
    ("rq-vin", R + "VIN/" + VIN + ".PUR/T.ATN/OFC LEE"),
    ("rq-vin-x", R + "VIN/1HGCM82633A004352.PUR/C.ATN/DET KIM.CAS/26-4471"),
    ("rq-rsn-cas", R + "RSN/T.LIC/7ZZZ999.LIS/PR.PUR/T.ATN/OFC LEE.CAS/A-1"),
    ("rq-nlets-one-line", "RQ.CO0160000.AZ.TXTLIC/ABC123.LIS/AZ.PUR/T.ATN/OFC LEE"),
    ("dr-found", DRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".SEX/F.HGT/505.EYE/BRO"
     ".ADR/1200 LARIMER ST APT 4, DENVER, CO 80204.OLN/D12345678.OLS/CO.CLS/C.STA/VALID"
     ".ISS/20210301.EXP/20290214.RST/B.LPF/Y"),
    ("dr-notfound", DRH + "MID/01J7ZK3.STS/NOTFOUND"),
    ("dr-held", DRH + "MID/01J7ZK3.STS/HELD"),
    ("dr-candidates", DRH + "MID/A.STS/FOUND.\nREC/DRV.NAM/RIVERA,ANA MARIA.DOB/19850214.\n"
     "REC/DRV.NAM/RIVERA,ANA.DOB/19850214.\nREC/DRV.NAM/RIVERA,ANA M.DOB/19850412"),
    ("dr-with-vehicle", DRH + "MID/A.STS/FOUND.\n" + DRV + ".\nREC/VEH.LIC/ABC123.LIS/CO.VYR/2019"),
    ("dr-address-period", DRH + "MID/A.STS/FOUND.\n" + DRV + ".ADR/12 ST.. PAUL AVE, DENVER, CO"),
    ("dr-ctl", "DR.AZ0070000.CO.*R42.TXT\nMID/A.STS/NOTFOUND"),
    ("dr-lawful-presence-n", DRH + "MID/A.STS/FOUND.\n" + DRV + ".STA/VALID.LPF/N"),
    ("rr-found", RRH + "MID/01J7ZK3.STS/FOUND.\nREC/VEH.LIC/ABC123.LIS/AZ.LIT/PC.LIY/2027.VIN/" +
     VIN + ".VYR/2019.VMA/TOYT.VMO/CAMRY.VCO/BLK/WHI.REX/20270131.OWN/RIVERA,ANA MARIA"
     ".OAD/1200 LARIMER ST, DENVER, CO 80204"),
    ("rr-business-owner", RRH + "MID/B.STS/FOUND.\nREC/VEH.LIC/FLEET01.LIS/AZ.OWN/ACME RENTAL LLC"),
    ("rr-notfound", RRH + "MID/01J7ZK3.STS/NOTFOUND"),
    ("ir-found", IRH + "MID/01J7ZK3.STS/FOUND.\n" + DRV + ".OLN/D12345678.OLS/CO.PHO/" + PHOTO +
     ".PMT/image/png"),
    ("er-invalid", ERH + "MID/01J7ZK3.STS/INVALID.ERC/316.ERF/DOB.ERO/37"
     ".ERT/the date of birth 2150-01-01 is in the future"),
    ("er-denied", ERH + "MID/01J7ZK3.STS/DENIED.ERC/400.ERT/civil immigration enforcement "
     "(C..R..S.. 24-74-103).RUL/deny at co..policy:2"),
    ("er-failed-hub", "ER.AZ0070000.NL.TXT\nMID/H-77.STS/FAILED.ERC/900.ERT/WI did not answer "
     "within 10 seconds"),
    ("er-ctl", "ER.AZ0070000.CO.*R42.TXT\nMID/01J7ZK3.STS/FAILED.ERC/700.ERT/audit log "
     "unavailable, request not answered"),
]

VALID_JSON = [
    ("json-dq", jreq()),
    ("json-dq-spaced", '{ "fields" : { "ATN" : "DET J RIVERA", "PUR" : "C", "OLS" : "CO", '
     '"OLN" : "D12345678" },\n  "dest" : [ "CO" ], "ori" : "AZ0070000", "key" : "DQ" }\n'),
    ("json-dq-escapes", jreq(fields={"OLN": "D12345678", "OLS": "CO", "PUR": "C",
                                     "ATN": "DET J RIVERA"}).replace("RIVERA", "\\u0052IVERA")),
    ("json-dq-period", jreq(fields={"OLN": "D12345678", "OLS": "CO", "PUR": "C",
                                    "ATN": "DET J. RIVERA JR."})),
    ("json-dq-quote", jreq(fields={"OLN": "D12345678", "OLS": "CO", "PUR": "C",
                                   "ATN": 'DET "JJ" RIVERA \\ 2'})),
    ("json-rq-ctl", jreq(key="RQ", ori="CO0160000", dest=("AZ", "NM"), ctl="Q7",
                         fields={"VIN": VIN, "PUR": "T", "ATN": "OFC LEE"})),
    ("json-dr", JR + '"records":[{"REC":"DRV","NAM":"RIVERA,ANA","DOB":"19850214"}]}'),
    ("json-dr-notfound-no-records",
     '{"key":"DR","ori":"AZ0070000","src":"CO","fields":{"MID":"01J7ZK3","STS":"NOTFOUND"}}'),
    ("json-er", '{"key":"ER","ori":"AZ0070000","src":"CO","fields":{"MID":"1","STS":"INVALID",'
     '"ERC":"316","ERF":"DOB","ERO":"37","ERT":"bad date"}}'),
]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def split_marker(msg):
    if isinstance(msg, bytes):
        m = "§".encode("utf-8")
        off = msg.find(m)
        return msg.replace(m, b""), off
    off = msg.find("§")
    msg = msg.replace("§", "")
    return msg.encode("latin-1"), off


def main():
    canon_bin = None
    if len(sys.argv) == 3 and sys.argv[1] == "--canon":
        canon_bin = sys.argv[2]
    inv = os.path.join(HERE, "invalid")
    val = os.path.join(HERE, "valid")
    for d in (inv, val):
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if canon_bin or not f.endswith((".canon.txt", ".canon.json")):
                os.remove(os.path.join(d, f))
    lines = []
    names = set()
    for cases, ext in ((INVALID, "txt"), (INVALID_JSON, "json")):
        for case in cases:
            name, msg, code, field = case[:4]
            assert name not in names, name
            names.add(name)
            data, off = split_marker(msg)
            if len(case) > 4:
                assert off == -1, name
                off = case[4]
            fn = "%s.%s" % (name, ext)
            write(os.path.join(inv, fn), data)
            lines.append("%s %s %s %d" % (fn, code, field if field else "-", off))
    with open(os.path.join(inv, "EXPECTED"), "w") as f:
        f.write("# file code field offset (field - for none, offset -1 for none);"
                " written by gen_corpus.py\n")
        f.write("\n".join(lines) + "\n")
    for cases, ext in ((VALID, "txt"), (VALID_JSON, "json")):
        for name, msg in cases:
            assert name not in names, name
            names.add(name)
            data, _ = split_marker(msg)
            p = os.path.join(val, "%s.%s" % (name, ext))
            write(p, data)
            if canon_bin:
                for form in ("text", "json"):
                    out = subprocess.run([canon_bin, "msg", "convert", "--to", form, p],
                                         capture_output=True)
                    if out.returncode != 0:
                        sys.exit("%s: %s" % (p, out.stderr.decode()))
                    write(os.path.join(val, "%s.canon.%s" % (name, "txt" if form == "text"
                                                             else "json")), out.stdout)
    print("%d invalid, %d valid" % (len(INVALID) + len(INVALID_JSON), len(VALID) + len(VALID_JSON)))


if __name__ == "__main__":
    main()
