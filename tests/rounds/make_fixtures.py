#!/usr/bin/env python3
"""Writes the round-file rejection fixtures under tests/fixtures/rounds/, written from
docs/round-format.md and docs/sampling.md alone (not from the Rust code).

Layout (tests/fixtures/rounds/example/ is the input and is never written here):
    <name>/round.json      one refused round file per folder; <name> is the reason code of
    <name>/expected.txt    round-format.md ("Verifying, in order"), or `<code>-<variant>` for a
                           further way to reach it; expected.txt holds the code and a newline
    <name>/organiser.txt   only for unknown_organiser*: the announced keyid (of the example
                           organiser) that the check passes as `survey round verify --organiser`

Every fixture starts from the committed example round (2026-q4-example.round.json, built by the
Rust tool from example/plan.json) and changes one thing. A change to the payload is re-signed
with the example organiser.pem, so that the signature is good and the content checks must
catch it; the payload stays canonical JSON (RFC 8785) unless the fixture is about canonical
form. For a finding (step 6) the derived fields are recomputed where the change would otherwise
bring other findings (frame_hash, frame_commitment, drawn_households, assignments), so that the
intended finding is the only one; where that is not possible the case says so. Each case states
the exact set of reasons that tests/rounds/check_round.py (the Python verifier) must give, and
this script refuses to write anything if one differs.

How the docs are read where a case depends on it (see check_round.py):
- frame_commitment is over the *recorded* frame hashes (sampling.md), so a wrong frame_hash
  alone is frame_hash_mismatch only;
- "sampled" in the assignment rule and in `drawn_households` is the recorded `sampled` flag:
  whether the flags are what the draw gives is draw_mismatch on its own;
- "a title or name without both languages" (bad_text) is a language missing or empty; a key
  other than `zh-CN` and `en` in a title or name is an unknown field (payload_malformed).

Deterministic: Ed25519 signatures and RFC 8785 are deterministic and every other key comes from
a fixed seed, so a re-run writes identical files.

Usage: python3 tests/rounds/make_fixtures.py [--check]
  --check   write everything into a temporary folder and compare it byte for byte with the
            committed fixture folders (exit 1 on any difference, missing or extra file)
Needs: cryptography, rfc8785 (tests/requirements.txt).
"""

import argparse
import base64
import copy
import filecmp
import hashlib
import json
import pathlib
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_round as cr  # noqa: E402  the Python verifier, draw/1, frame hashes

import rfc8785  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402

ROOT = cr.ROOT
OUT = ROOT / "tests" / "fixtures" / "rounds"
EXAMPLE = cr.EXAMPLE
BASE_ROUND = EXAMPLE / "2026-q4-example.round.json"
KEEP = {"example"}  # folders of OUT this script never writes nor removes

PAYLOAD_TYPE = cr.PAYLOAD_TYPE
BUNDLE_TYPE = "application/vnd.survey-kit.bundle+json"
L = 2**252 + 27742317777372353535851937790883648493  # order of the Ed25519 base point

# TEST KEYS from fixed, public seeds. Never use them for anything real.
OTHER_ORGANISER_SEED = hashlib.sha256(b"survey-kit round fixtures: another organiser").digest()
RECIPIENT_SEED = hashlib.sha256(b"survey-kit round fixtures: a department age identity").digest()


# ---------------------------------------------------------------------------- helpers --


def canon(value):
    return rfc8785.dumps(value)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def public_raw(private_key):
    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def keyid(raw):
    return hashlib.sha256(raw).hexdigest()


def flip_hex(text):
    """The same hex string with its last digit changed."""
    return text[:-1] + ("0" if text[-1] != "0" else "1")


def bech32(hrp, data):
    """BIP 173 bech32 (as age writes its X25519 recipients)."""
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    acc, bits, words = 0, 0, []
    for byte in data:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            words.append((acc >> bits) & 31)
    if bits:
        words.append((acc << (5 - bits)) & 31)

    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            top = chk >> 25
            chk = ((chk & 0x1FFFFFF) << 5) ^ v
            for i in range(5):
                chk ^= gen[i] if (top >> i) & 1 else 0
        return chk

    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    mod = polymod(expanded + words + [0] * 6) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(charset[w] for w in words + checksum)


def age_recipient(seed):
    key = X25519PrivateKey.from_private_bytes(seed)
    return bech32("age", key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def not_a_point():
    """32 bytes that are not the encoding of an Ed25519 point (fixed search from a label)."""
    for counter in range(1000):
        candidate = bytearray(hashlib.sha256(b"survey-kit round fixtures: not a point %d" % counter).digest())
        candidate[31] &= 0x7F  # y < 2^255, sign bit 0: only the curve equation can fail
        if int.from_bytes(candidate, "little") < 2**255 - 19 and cr.vb._decode_point(bytes(candidate)) is None:
            return bytes(candidate)
    raise AssertionError("no off-curve encoding found")


class Base:
    """The example round and what the fixtures derive from it."""

    def __init__(self):
        self.data = BASE_ROUND.read_bytes()
        self.env = json.loads(self.data)
        self.payload_bytes = base64.b64decode(self.env["payload"])
        self.payload = json.loads(self.payload_bytes)
        if canon(self.payload) != self.payload_bytes or canon(self.env) != self.data:
            sys.exit(f"{cr.rel(BASE_ROUND)} is not canonical: fix the example first")
        if cr.rejection_codes(self.data):
            sys.exit(f"{cr.rel(BASE_ROUND)} does not verify: {sorted(cr.rejection_codes(self.data))}")
        self.key = cr.load_key((EXAMPLE / "organiser.pem").read_bytes())
        self.keyid = keyid(public_raw(self.key))
        if self.env["signatures"][0]["keyid"] != self.keyid:
            sys.exit("the example round is not signed by example/organiser.pem")
        self.other = Ed25519PrivateKey.from_private_bytes(OTHER_ORGANISER_SEED)

    def p(self):
        return copy.deepcopy(self.payload)

    def envelope(self, payload_bytes, key=None, payload_type=PAYLOAD_TYPE, kid=None, sig=None):
        """The envelope dict around `payload_bytes`, signed over PAE by `key` (default organiser)."""
        key = key or self.key
        if sig is None:
            sig = key.sign(cr.vb.pae(payload_type, payload_bytes))
        return {
            "payload": b64(payload_bytes),
            "payloadType": payload_type,
            "signatures": [{"keyid": kid if kid is not None else keyid(public_raw(key)), "sig": b64(sig)}],
        }

    def signed(self, p, **kw):
        """The canonical round file of payload `p` (canonical JSON), signed by the organiser."""
        return canon(self.envelope(canon(p), **kw))


def unit(p, unit_id):
    return next(u for u in p["units"] if u["id"] == unit_id)


def first_sampled(p):
    return next(u for u in p["units"] if u["sampled"])


def first_unsampled(p):
    return next(u for u in p["units"] if not u["sampled"])


def draw_of(p, u):
    return cr.draw(p["seed"], p["id"], "households/" + u["id"], u["households"])


def redraw(p, u):
    """drawn_households as the draw gives them for the recorded `sampled` flag."""
    u["drawn_households"] = draw_of(p, u)[: u["n"]] if u["sampled"] else []


def rehash(p, u=None):
    """Recomputes the frame hash of `u` (None: of no unit) and the commitment over all units."""
    if u is not None:
        u["frame_hash"] = cr.frame_hash(u["households"])
    p["frame_commitment"] = cr.frame_commitment([(x["id"], x["frame_hash"]) for x in p["units"]])


def sort_assignments(p):
    p["assignments"].sort(key=lambda a: cr.utf8(a["unit"]))


def unit_draw(p):
    return cr.draw(p["seed"], p["id"], "units", [u["id"] for u in p["units"]])


def replace_household(p, u, index, code):
    assert code not in u["households"], code
    u["households"][index] = code


# ------------------------------------------------------------------------------ cases --


class Case:
    def __init__(self, name, code, data, codes=None, organiser=None):
        self.name, self.code, self.data = name, code, data
        self.codes = codes if codes is not None else {code}  # what the Python verifier must give
        self.organiser = organiser


def envelope_cases(b):
    cases = []
    good, env = b.data, b.env
    heping = "chengnan_heping"  # a unit the example draw leaves out

    # 1. malformed, not_canonical
    cases.append(Case("malformed", "malformed", good[: len(good) // 2]))  # cut in half: not JSON
    cases.append(Case("malformed-unknown-field", "malformed", canon(dict(env, note="added on the way"))))
    cases.append(Case("malformed-not-an-object", "malformed", canon([env])))
    cases.append(Case("not_canonical", "not_canonical", json.dumps(env, indent=2, sort_keys=True).encode("utf-8")))
    cases.append(Case("not_canonical-trailing-newline", "not_canonical", good + b"\n"))
    # Step 5: the envelope is canonical and correctly signed, but the payload bytes are not
    # canonical JSON (pretty-printed; and compact but with \u escapes instead of UTF-8).
    pretty = json.dumps(b.payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    cases.append(Case("not_canonical-payload", "not_canonical", canon(b.envelope(pretty))))
    escaped = json.dumps(b.payload, ensure_ascii=True, separators=(",", ":"), sort_keys=True).encode("ascii")
    assert json.loads(escaped) == b.payload and escaped != b.payload_bytes
    cases.append(Case("not_canonical-payload-escaped", "not_canonical", canon(b.envelope(escaped))))

    # 2. payload type, base64, signature count
    cases.append(Case("unsupported_payload_type", "unsupported_payload_type",
                      canon(b.envelope(b.payload_bytes, payload_type=BUNDLE_TYPE))))  # fmt: skip
    # The payload base64 wrapped at 76 characters, as MIME encoders write it.
    text = env["payload"]
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    cases.append(Case("bad_base64", "bad_base64", canon(dict(env, payload=wrapped))))
    urlsafe = text.replace("+", "-").replace("/", "_")
    assert urlsafe != text, "the example payload has no + or /: drop bad_base64-urlsafe"
    cases.append(Case("bad_base64-urlsafe", "bad_base64", canon(dict(env, payload=urlsafe))))
    sig = env["signatures"][0]["sig"]  # 64 bytes: always 2 characters + "=="
    cases.append(Case("bad_base64-sig-unpadded", "bad_base64",
                      canon(dict(env, signatures=[dict(env["signatures"][0], sig=sig.rstrip("="))]))))  # fmt: skip
    # The same signature with non-zero unused bits in its last character: a lax decoder reads
    # the same 64 bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(sig[-3])
    assert last & 0x0F == 0
    lax = sig[:-3] + alphabet[last | 0x05] + "=="
    assert base64.b64decode(lax) == base64.b64decode(sig)
    cases.append(Case("bad_base64-trailing-bits", "bad_base64",
                      canon(dict(env, signatures=[dict(env["signatures"][0], sig=lax)]))))  # fmt: skip
    second = b.envelope(b.payload_bytes, key=b.other)["signatures"][0]
    cases.append(Case("signature_count", "signature_count", canon(dict(env, signatures=env["signatures"] + [second]))))
    cases.append(Case("signature_count-none", "signature_count", canon(dict(env, signatures=[]))))

    # 3. payload_malformed at step 3 (no organiser.key to check the signature with), bad_key,
    # keyid_mismatch
    cases.append(Case("payload_malformed-not-json", "payload_malformed",
                      canon(b.envelope("县委组织部 2026-q4-example".encode("utf-8")))))  # fmt: skip
    p = b.p()
    del p["organiser"]["key"]
    cases.append(Case("payload_malformed-no-organiser-key", "payload_malformed", b.signed(p, kid=b.keyid)))
    raw = public_raw(b.key)
    for name, key_text, kid in [
        ("bad_key", b64(raw[:31]), keyid(raw[:31])),  # 31 bytes
        ("bad_key-not-a-point", b64(not_a_point()), keyid(not_a_point())),  # 32 bytes off the curve
        ("bad_key-not-base64", b64(raw).rstrip("="), b.keyid),  # the right key without its padding
    ]:
        p = b.p()
        p["organiser"]["key"] = key_text
        cases.append(Case(name, "bad_key", b.signed(p, kid=kid)))
    cases.append(Case("keyid_mismatch", "keyid_mismatch", canon(b.envelope(b.payload_bytes, kid=flip_hex(b.keyid)))))
    # keyids are lowercase hex (bundle-format.md conventions): the same keyid in capitals.
    cases.append(Case("keyid_mismatch-uppercase", "keyid_mismatch",
                      canon(b.envelope(b.payload_bytes, kid=b.keyid.upper()))))  # fmt: skip

    # 4. bad_signature
    sig_bytes = bytearray(base64.b64decode(sig))
    sig_bytes[10] ^= 0x01
    cases.append(Case("bad_signature", "bad_signature", canon(b.envelope(b.payload_bytes, sig=bytes(sig_bytes)))))
    cases.append(Case("bad_signature-no-pae", "bad_signature",
                      canon(b.envelope(b.payload_bytes, sig=b.key.sign(b.payload_bytes)))))  # fmt: skip
    raw_sig = base64.b64decode(sig)
    s = int.from_bytes(raw_sig[32:], "little")
    unreduced = raw_sig[:32] + (s + L).to_bytes(32, "little")  # S + L: only strict verification refuses it
    cases.append(Case("bad_signature-s-not-reduced", "bad_signature",
                      canon(b.envelope(b.payload_bytes, sig=unreduced))))  # fmt: skip
    p = b.p()
    p["seed"] = p["seed"][:-1] + "3"  # the seed changed after signing, the old signature kept
    assert p["seed"] != b.payload["seed"]
    cases.append(Case("bad_signature-payload-changed", "bad_signature", canon(dict(env, payload=b64(canon(p))))))
    other_sig = b.other.sign(cr.vb.pae(PAYLOAD_TYPE, b.payload_bytes))  # the organiser's keyid, another key's signature
    cases.append(Case("bad_signature-other-key", "bad_signature", canon(b.envelope(b.payload_bytes, sig=other_sig))))

    # 5. unsupported_version, payload_malformed, (not_canonical above)
    p = b.p()
    p["format"] = "round/2"
    cases.append(Case("unsupported_version", "unsupported_version", b.signed(p)))
    p = b.p()
    unit(p, heping)["n"] = "20"  # a string for an integer
    cases.append(Case("payload_malformed", "payload_malformed", b.signed(p)))
    p = b.p()
    p["note"] = "抽样结果已在县政府网站公示"  # an unknown top-level field
    cases.append(Case("payload_malformed-unknown-field", "payload_malformed", b.signed(p)))
    p = b.p()
    unit(p, heping)["note"] = "x"  # an unknown field in a unit
    cases.append(Case("payload_malformed-unit-unknown-field", "payload_malformed", b.signed(p)))
    p = b.p()
    del p["frame_commitment"]  # a missing field
    cases.append(Case("payload_malformed-missing-field", "payload_malformed", b.signed(p)))
    p = b.p()
    del unit(p, heping)["group"]  # a field that may be null, missing
    cases.append(Case("payload_malformed-unit-without-group", "payload_malformed", b.signed(p)))
    p = b.p()
    del p["unit_sample"]  # likewise: null would mean "every unit", absent is not the shape
    cases.append(Case("payload_malformed-no-unit_sample", "payload_malformed", b.signed(p)))
    p = b.p()
    del p["devices"][0]["team"]  # `team` is always present in a round ("" when the roster had none)
    cases.append(Case("payload_malformed-device-without-team", "payload_malformed", b.signed(p)))
    p = b.p()
    unit(p, heping)["attempts_before_substitute"] = -1  # integers are 0..2^53
    cases.append(Case("payload_malformed-negative-integer", "payload_malformed", b.signed(p)))
    p = b.p()
    p["format"] = 1  # not a string: neither round/1 nor another version
    cases.append(Case("payload_malformed-format-not-a-string", "payload_malformed", b.signed(p)))
    p = b.p()
    p["title"]["fr"] = "Évaluation du 4e trimestre 2026"  # a third language: an unknown field
    cases.append(Case("payload_malformed-title-unknown-language", "payload_malformed", b.signed(p)))
    p = b.p()
    p["unit_sample"] = {"n": 4, "of": 6}  # neither null nor {"n": K}
    cases.append(Case("payload_malformed-unit_sample", "payload_malformed", b.signed(p)))
    return cases


def finding_cases(b):
    cases = []

    def add(name, p, codes=None):
        code = name.split("-")[0]
        cases.append(Case(name, code, b.signed(p), codes))

    heping = "chengnan_heping"  # a unit the example draw leaves out: its households enter no draw

    # bad_text: household codes of a unit not sampled, frame hash and commitment recomputed so
    # that only the text is wrong.
    for name, index, code in [
        ("bad_text", 0, "1/1/101"),  # rule 5: no "/" in a household code
        ("bad_text-household", 0, "1-1-101 "),  # rule 3: a trailing space (cells are not trimmed)
        ("bad_text-not_nfc", 1, "\uf9dc兴巷1号"),  # rule 1: U+F9DC, a CJK compatibility ideograph (NFC: 隆 U+9686)
        ("bad_text-control", 2, "1-1-2\u200b02"),  # rule 2: a zero-width space inside
        ("bad_text-too-long", 3, "城南街道和平社区" * 8 + "1"),  # rule 4: 65 scalar values
    ]:
        p = b.p()
        u = unit(p, heping)
        replace_household(p, u, index, code)
        rehash(p, u)
        add(name, p)
    p = b.p()
    p["seed_source"] = p["seed_source"] + "\u3000"  # rules 1-3 apply to the seed source: U+3000 at the end
    add("bad_text-seed_source", p)
    p = b.p()
    p["seed_source"] = ""  # a seed without a source
    add("bad_text-seed_source-empty", p)
    p = b.p()
    p["title"]["en"] = ""  # a title without both languages
    add("bad_text-title", p)
    p = b.p()
    del p["title"]["en"]  # likewise, the language missing
    add("bad_text-title-missing-language", p)
    # A unit name without English. Every unit the survey lists must carry the survey's name
    # (unknown_unit otherwise), so the survey here lists no units (its fingerprint recomputed).
    p = b.p()
    del p["survey"]["units"]
    p["survey_fingerprint"] = hashlib.sha256(canon(p["survey"])).hexdigest()
    unit(p, heping)["name"]["en"] = ""
    add("bad_text-name", p)

    # survey_mismatch
    p = b.p()
    p["survey_fingerprint"] = flip_hex(p["survey_fingerprint"])
    add("survey_mismatch", p)
    p = b.p()
    p["survey"]["version"] = p["survey"]["version"] + "-edited"  # the survey changed, the fingerprint kept
    add("survey_mismatch-survey-edited", p)

    # recipients_mismatch (the example survey has no recipients: the round must record [])
    recipient = age_recipient(RECIPIENT_SEED)
    p = b.p()
    p["recipients"] = [recipient]
    add("recipients_mismatch", p)
    p = b.p()
    p["survey"]["recipients"] = [recipient]  # the survey has one, the round records []
    p["survey_fingerprint"] = hashlib.sha256(canon(p["survey"])).hexdigest()
    add("recipients_mismatch-survey-has-recipients", p)

    # duplicate
    p = b.p()
    i = next(k for k, u in enumerate(p["units"]) if u["id"] == heping)
    p["units"].insert(i + 1, copy.deepcopy(p["units"][i]))  # the same unit twice, next to itself
    rehash(p)  # the commitment over all 7 entries
    assert set(unit_draw(p)[: p["unit_sample"]["n"]]) == {u["id"] for u in p["units"] if u["sampled"]}
    add("duplicate", p)
    p = b.p()
    u = unit(p, heping)
    u["households"][1] = u["households"][0]  # a household code twice in one frame
    rehash(p, u)
    add("duplicate-household", p)
    p = b.p()
    p["devices"].append(copy.deepcopy(p["devices"][0]))  # a device enrolled twice
    p["devices"].sort(key=lambda d: cr.utf8(d["keyid"]))
    add("duplicate-device", p)

    # order (the commitment sorts by unit id itself, so it does not change)
    p = b.p()
    p["units"].reverse()
    add("order", p)
    p = b.p()
    p["devices"].reverse()
    add("order-devices", p)
    p = b.p()
    p["assignments"].reverse()
    add("order-assignments", p)

    # unknown_unit: a unit id that is not in the survey's list. The id enters the unit draw and
    # the commitment: the first candidate that keeps the id order and the drawn units is taken,
    # and the commitment recomputed.
    p = b.p()
    u = unit(p, heping)
    sampled_before = {x["id"] for x in p["units"] if x["sampled"]}
    for suffix in ["", *map(str, range(2, 100))]:
        u["id"] = "chengnan_xinhe" + suffix
        ids = [x["id"] for x in p["units"]]
        if ids == sorted(ids, key=cr.utf8) and set(unit_draw(p)[: p["unit_sample"]["n"]]) == sampled_before:
            break
    else:
        raise AssertionError("no id for unknown_unit")
    u["name"] = {"zh-CN": "城南街道新合社区", "en": "Xinhe Community, Chengnan Subdistrict"}
    rehash(p)
    add("unknown_unit", p)
    p = b.p()
    unit(p, heping)["name"]["en"] = "Heping Community"  # not the survey's name of the unit
    add("unknown_unit-name", p)

    # bad_device
    p = b.p()
    raw = bytearray(base64.b64decode(p["devices"][0]["key"]))
    raw[0] ^= 0x01  # the key changed, its keyid kept
    p["devices"][0]["key"] = b64(bytes(raw))
    add("bad_device", p)
    p = b.p()
    d = p["devices"][0]
    short = base64.b64decode(d["key"])[:31]  # 31 bytes, and its keyid the hash of those 31 bytes
    old = d["keyid"]
    d["key"], d["keyid"] = b64(short), keyid(short)
    for a in p["assignments"]:
        if a["device"] == old:
            a["device"] = d["keyid"]
    p["devices"].sort(key=lambda x: cr.utf8(x["keyid"]))
    add("bad_device-short-key", p)

    # frame_hash_mismatch (the commitment is over the recorded hashes: recomputed over them)
    p = b.p()
    u = unit(p, heping)
    u["frame_hash"] = flip_hex(u["frame_hash"])
    rehash(p)
    add("frame_hash_mismatch", p)
    p = b.p()
    replace_household(p, unit(p, heping), 0, "7-1-101")  # a household added to the frame after the announcement
    add("frame_hash_mismatch-household-changed", p)  # frame_hash and commitment as announced

    # commitment_mismatch
    p = b.p()
    p["frame_commitment"] = flip_hex(p["frame_commitment"])
    add("commitment_mismatch", p)
    # A wrong frame_hash with the commitment computed over the *recomputed* hashes instead of
    # the recorded ones (sampling.md): frame_hash_mismatch comes with it by construction.
    p = b.p()
    u = unit(p, heping)
    u["frame_hash"] = flip_hex(u["frame_hash"])
    add("commitment_mismatch-over-recomputed-hashes", p, {"frame_hash_mismatch", "commitment_mismatch"})

    # draw_mismatch
    p = b.p()
    # The seed changed after the draw (signed anew): the recorded flags and drawn households are
    # no longer the draw's. Only draw_mismatch when "sampled" in the assignment rule is the
    # recorded flag; read as "sampled by the draw", assignment findings come with it.
    p["seed"] = p["seed"][:-1] + "3"
    add("draw_mismatch", p)
    p = b.p()
    # The organiser picks another unit, consistently: flags, drawn households and assignment.
    # (Read with "sampled" = what the draw gives instead of the recorded flag, the assignment
    # rule would add assignment findings.)
    inn, out = first_sampled(p), first_unsampled(p)
    inn["sampled"], out["sampled"] = False, True
    redraw(p, inn)
    redraw(p, out)
    for a in p["assignments"]:
        if a["unit"] == inn["id"]:
            a["unit"] = out["id"]
    sort_assignments(p)
    add("draw_mismatch-sampled", p)
    p = b.p()
    u = first_sampled(p)
    u["drawn_households"][-1] = draw_of(p, u)[u["n"]]  # the first substitute instead of the last drawn
    add("draw_mismatch-drawn_households", p)
    p = b.p()
    u = unit(p, heping)
    u["drawn_households"] = draw_of(p, u)[: u["n"]]  # households drawn in a unit not sampled
    add("draw_mismatch-drawn-in-unit-not-sampled", p)

    # bad_n
    p = b.p()
    unit(p, heping)["n"] = 0
    add("bad_n", p)
    p = b.p()
    u = unit(p, heping)
    u["n"] = len(u["households"]) + 1
    add("bad_n-above-frame", p)
    p = b.p()
    unit(p, heping)["attempts_before_substitute"] = 0
    add("bad_n-attempts_before_substitute", p)
    p = b.p()
    # unit_sample.n above the number of units: every unit is then drawn; flags, drawn
    # households and assignments made consistent with that.
    p["unit_sample"]["n"] = len(p["units"]) + 1
    devices = [d["keyid"] for d in p["devices"]]
    for u in p["units"]:
        if not u["sampled"]:
            u["sampled"] = True
            redraw(p, u)
            p["assignments"].append({"unit": u["id"], "device": devices[0]})
    sort_assignments(p)
    add("bad_n-unit_sample", p)
    p = b.p()
    p["unit_sample"]["n"] = 0  # no unit drawn: no flags, drawn households or assignments
    for u in p["units"]:
        u["sampled"] = False
        redraw(p, u)
    p["assignments"] = []
    add("bad_n-unit_sample-zero", p)

    # assignment
    p = b.p()
    a = p["assignments"][0]
    other = next(d["keyid"] for d in p["devices"] if d["keyid"] != a["device"])
    p["assignments"].insert(1, {"unit": a["unit"], "device": other})  # one unit on two tablets
    add("assignment-twice", p)
    p = b.p()
    p["assignments"].pop()
    add("assignment-missing", p)
    p = b.p()
    p["assignments"][0]["device"] = flip_hex(p["assignments"][0]["device"])  # not an enrolled device
    add("assignment-unknown_device", p)
    p = b.p()
    p["assignments"].append({"unit": heping, "device": p["devices"][0]["keyid"]})
    sort_assignments(p)
    add("assignment-not_sampled", p)

    # bad_period
    p = b.p()
    p["period"] = {"from": p["period"]["to"], "to": p["period"]["from"]}
    add("bad_period", p)
    p = b.p()
    p["period"]["to"] = "2027-02-29"  # not a calendar date (2027 is not a leap year)
    add("bad_period-invalid-date", p)
    p = b.p()
    p["period"]["to"] = "2026-12-2"
    add("bad_period-format", p)
    return cases


def organiser_cases(b):
    """Validly signed by another organiser key; the announced keyid is the example organiser's."""
    p = b.p()
    p["organiser"]["key"] = b64(public_raw(b.other))
    data = canon(b.envelope(canon(p), key=b.other))
    return [
        Case("unknown_organiser", "unknown_organiser", data, organiser=b.keyid),
        Case("unknown_organiser-short", "unknown_organiser", data, organiser=b.keyid[:16]),
    ]


def all_cases():
    b = Base()
    cases = envelope_cases(b) + finding_cases(b) + organiser_cases(b)
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), "two cases with one name"
    problems = []
    for c in cases:
        got = cr.rejection_codes(c.data, c.organiser)
        if got != c.codes:
            problems.append(f"{c.name}: the Python verifier gives {sorted(got)}, the case expects {sorted(c.codes)}")
    # the other organiser's round is otherwise good: accepted without --organiser
    if cr.rejection_codes(organiser_cases(b)[0].data):
        problems.append("unknown_organiser: refused even without --organiser")
    if problems:
        sys.exit("not written:\n  " + "\n  ".join(problems))
    return cases


# ---------------------------------------------------------------------------- writing --


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def write_cases(out, cases):
    for c in cases:
        folder = out / c.name
        write(folder / "round.json", c.data)
        write(folder / "expected.txt", (c.code + "\n").encode("ascii"))
        extra = folder / "organiser.txt"
        if c.organiser is not None:
            write(extra, (c.organiser + "\n").encode("ascii"))
        elif extra.exists():
            extra.unlink()
        for child in folder.iterdir():
            if child.name not in {"round.json", "expected.txt", "organiser.txt"}:
                sys.exit(f"{cr.rel(child)}: an unexpected file in a fixture folder")


def fixture_folders(out):
    """The fixture folders of `out` (those with an expected.txt), without KEEP."""
    if not out.exists():
        return []
    return sorted(c.name for c in out.iterdir() if c.is_dir() and c.name not in KEEP and (c / "expected.txt").exists())


def compare(committed, fresh):
    problems = []
    want, have = fixture_folders(fresh), fixture_folders(committed)
    problems += [f"missing folder {name}/" for name in want if name not in have]
    problems += [f"folder {name}/ is no longer made" for name in have if name not in want]
    for name in want:
        if name not in have:
            continue
        a, b = committed / name, fresh / name
        files_a = sorted(p.name for p in a.iterdir())
        files_b = sorted(p.name for p in b.iterdir())
        for f in sorted(set(files_a) | set(files_b)):
            if f not in files_a:
                problems.append(f"{name}/{f} is missing")
            elif f not in files_b:
                problems.append(f"{name}/{f} should not be there")
            elif not filecmp.cmp(a / f, b / f, shallow=False):
                problems.append(f"{name}/{f} differs")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the round/1 rejection fixtures.")
    parser.add_argument("--check", action="store_true", help="compare with the committed fixtures instead of writing")
    args = parser.parse_args(argv)
    cases = all_cases()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = pathlib.Path(tmp)
            write_cases(fresh, cases)
            problems = compare(OUT, fresh)
        for problem in problems:
            print(f"differs: {cr.rel(OUT)}/{problem}")
        state = f"{len(problems)} differences" if problems else "up to date"
        print(f"{cr.rel(OUT)}: {len(cases)} fixtures, {state}")
        return 1 if problems else 0
    write_cases(OUT, cases)
    made = {c.name for c in cases}
    for name in fixture_folders(OUT):  # folders this script no longer makes: stale expectations
        if name not in made:
            shutil.rmtree(OUT / name)
    print(f"wrote {cr.rel(OUT)}: {len(cases)} fixtures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
