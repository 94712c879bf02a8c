#!/usr/bin/env python3
"""An independent verifier of result bundles (`bundle/1` and the round format `bundle/2`),
written from docs/bundle-format.md alone: the checks run in the order of its "Verifying, in
order" section (and, for `bundle/2`, its "Rounds: `bundle/2`" section) and fail with its error
codes.

Usage: python3 tests/bundles/verify_bundle.py --roster roster.json FILE...
Prints `FILE: ok (N responses)` (`bundle/2`: `FILE: ok (N responses, K contacts)`) or
`FILE: <code>: message` per file; exit 1 if any file fails, 2 if the roster cannot be read.
Needs: cryptography, rfc8785 (tests/requirements.txt).

cryptography's Ed25519 (OpenSSL) rejects a non-canonical S but accepts small-order public keys
(with A the identity point, R = [r]B, S = r verifies for any message), so the strict checks of
RFC 8032 that the doc asks for are done here before calling it: S < L, and neither A nor R may
be a small-order point or a non-canonical encoding.

Where the doc leaves a choice, this verifier reads it as follows (survey-core may differ; see
the report that came with these fixtures):
- JSON is strict: UTF-8, no BOM, no NaN, no duplicate keys, integers within +-(2^53 - 1) (what
  RFC 8785 can represent); otherwise the file is malformed (the payload: payload_malformed).
- Step 3 checks the base64 of the payload and of every signature before counting signatures.
- Step 4: a payload from which device.key cannot be read, or a device.key that is not strict
  base64 of 32 bytes, is bad_key; a key that is not a usable curve point fails in step 5.
- Step 6: a missing or non-string `format` is unsupported_version, like any other value; the
  payload must be canonical JSON ("Canonical JSON of:"), bundle_id and response ids lowercase
  UUIDs, the survey fingerprint 64 lowercase hex digits.
- Step 7: every field of a response is required (`unit` may be null, not absent); seq 0 has
  the shape of a sequence number and fails the rule 1 <= seq <= device_seq_high.
- bundle/2, step 6: `round` is exactly {id, sha256} with a non-empty string id and a sha256 of
  64 lowercase hex digits; each contact is exactly {id, unit, household, at, outcome, note} with
  a lowercase UUID id, non-empty string unit and household, an integer `at`, one of the four
  outcomes and a string note (may be empty). Anything else is payload_malformed.
- bundle/2, step 7: the added rules run per response after all of its bundle/1 checks (hash,
  shape without `sample`, survey/device, duplicate id and seq, seq range): `sample` missing or
  not exactly {round: string, household: string, slot: integer or null, off_sample: boolean},
  `slot` not null with off_sample true or null with off_sample false, slot < 1 or an empty
  household is response_malformed; then sample.round != round.id is response_mismatch.
- A bundle/1 response with a `sample` field fails the bundle/1 shape check (an unknown field,
  response_malformed) before its survey/device check, as it always did.
- Step 8 (bundle/2): contact ids unique, after every response passed step 7.
"""

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PAYLOAD_TYPE = "application/vnd.survey-kit.bundle+json"
FORMATS = ("bundle/1", "bundle/2")
OUTCOMES = ("not_at_home", "refused", "vacant", "not_eligible")

HEX64 = re.compile(r"[0-9a-f]{64}\Z")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")


class BundleError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# ------------------------------------------------------------------------------ helpers --


class _Invalid(Exception):
    pass


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _Invalid(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _reject_constant(name):
    raise _Invalid(f"{name} is not JSON")


def parse_json(data):
    """Strict JSON from UTF-8 bytes: no BOM, no NaN/Infinity, no duplicate keys, no lone
    surrogates. Raises ValueError."""
    try:
        text = data.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
        rfc8785.dumps(value)  # lone surrogates, integers beyond 2^53
    except (UnicodeDecodeError, json.JSONDecodeError, _Invalid, rfc8785.CanonicalizationError) as e:
        raise ValueError(str(e)) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return value


def canon(value):
    return rfc8785.dumps(value)


def strict_b64(text):
    """Standard base64 with padding; rejects other alphabets, whitespace, missing padding and
    non-zero trailing bits. Returns bytes or None."""
    if not isinstance(text, str) or not B64.match(text):
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(data).decode("ascii") != text:  # non-zero trailing bits
        return None
    return data


def keyid(raw_public_key):
    return hashlib.sha256(raw_public_key).hexdigest()


def pae(payload_type, payload):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_str(v):
    return isinstance(v, str)


def exact_keys(obj, keys):
    return isinstance(obj, dict) and set(obj) == set(keys)


# ------------------------------------------------------ Ed25519 strictness (RFC 8032) --

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _decode_point(s):
    """RFC 8032 §5.1.3 decoding; None for non-canonical or off-curve encodings."""
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else (0, y)
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if x & 1 != sign:
        x = _P - x
    return (x, y)


def _double(pt):
    x, y = pt
    xy = x * y % _P
    dxy = _D * xy * xy % _P
    return (
        2 * xy * pow(1 + dxy, _P - 2, _P) % _P,
        (y * y + x * x) * pow(1 - dxy, _P - 2, _P) % _P,
    )


def _strong_point(s):
    """True if `s` canonically encodes a curve point that is not of small order."""
    pt = _decode_point(s)
    if pt is None:
        return False
    for _ in range(3):
        pt = _double(pt)
    return pt != (0, 1)


def ed25519_verify_strict(public, signature, message):
    if len(public) != 32 or len(signature) != 64:
        return False
    if int.from_bytes(signature[32:], "little") >= _L:
        return False
    if not _strong_point(public) or not _strong_point(signature[:32]):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# ------------------------------------------------------------------------------- roster --


def load_roster(data):
    """keyid -> raw key. Raises ValueError."""
    roster = parse_json(data)
    if not exact_keys(roster, ["format", "devices"]) or roster["format"] != "roster/1":
        raise ValueError("not a roster/1 file")
    if not isinstance(roster["devices"], list):
        raise ValueError("devices is not a list")
    keys = {}
    for i, device in enumerate(roster["devices"]):
        if not exact_keys(device, ["key", "keyid", "evaluator", "team"]) or not all(
            is_str(v) for v in device.values()
        ):
            raise ValueError(f"devices[{i}] is not a device entry")
        raw = strict_b64(device["key"])
        if raw is None or len(raw) != 32:
            raise ValueError(f"devices[{i}].key is not a base64 32-byte key")
        if device["keyid"] != keyid(raw):
            raise ValueError(f"devices[{i}].keyid is not the keyid of its key")
        keys[device["keyid"]] = raw
    return keys


# ----------------------------------------------------------------------------- verifying --


def _envelope_shape(env):
    if not exact_keys(env, ["payload", "payloadType", "signatures"]):
        return False
    if not is_str(env["payload"]) or not is_str(env["payloadType"]):
        return False
    if not isinstance(env["signatures"], list):
        return False
    return all(
        exact_keys(s, ["keyid", "sig"]) and is_str(s["keyid"]) and is_str(s["sig"])
        for s in env["signatures"]
    )


def _payload_shape(p):
    if not exact_keys(
        p, ["format", "bundle_id", "created_at", "device", "survey", "device_seq_high", "responses"]
    ):
        return "unknown or missing fields"
    if not is_str(p["bundle_id"]) or not UUID.match(p["bundle_id"]):
        return "bundle_id is not a UUID"
    if not is_int(p["created_at"]):
        return "created_at is not a time"
    d = p["device"]
    if not exact_keys(d, ["key", "evaluator", "team"]) or not all(is_str(v) for v in d.values()):
        return "device is not {key, evaluator, team}"
    s = p["survey"]
    if not exact_keys(s, ["id", "version", "fingerprint"]) or not all(is_str(v) for v in s.values()):
        return "survey is not {id, version, fingerprint}"
    if not HEX64.match(s["fingerprint"]):
        return "survey.fingerprint is not hex SHA-256"
    if not is_int(p["device_seq_high"]) or p["device_seq_high"] < 0:
        return "device_seq_high is not a non-negative integer"
    if not isinstance(p["responses"], list):
        return "responses is not an array"
    for i, e in enumerate(p["responses"]):
        if not exact_keys(e, ["response", "hash"]) or not is_str(e["hash"]):
            return f"responses[{i}] is not {{response, hash}}"
    return None


def _is_value(v):
    if isinstance(v, (bool, str, int, float)):
        return True
    if isinstance(v, list):
        return all(is_str(x) for x in v)
    if isinstance(v, dict):
        return all(is_int(x) for x in v.values())
    return False


def _response_shape(r):
    keys = ["id", "survey_id", "fingerprint", "unit", "device", "seq", "answers",
            "started_at", "finished_at", "mode", "lang", "app_version"]  # fmt: skip
    if not exact_keys(r, keys):
        return "unknown or missing fields"
    if not is_str(r["id"]) or not UUID.match(r["id"]):
        return "id is not a UUID"
    for k in ["survey_id", "fingerprint", "device", "lang", "app_version"]:
        if not is_str(r[k]):
            return f"{k} is not a string"
    if r["unit"] is not None and not is_str(r["unit"]):
        return "unit is neither a string nor null"
    # seq 0 has the shape of a sequence number; step 7 rejects it as sequence_above_high.
    if not is_int(r["seq"]) or r["seq"] < 0:
        return "seq is not a sequence number"
    for k in ["started_at", "finished_at"]:
        if not is_int(r[k]):
            return f"{k} is not a time"
    if r["mode"] not in ("interview", "self"):
        return "mode is neither interview nor self"
    if not isinstance(r["answers"], dict):
        return "answers is not an object"
    for qid, a in r["answers"].items():
        if not exact_keys(a, ["value", "at", "changes"]):
            return f"answer {qid} is not {{value, at, changes}}"
        if not _is_value(a["value"]):
            return f"answer {qid} has a value of no question kind"
        if not is_int(a["at"]):
            return f"answer {qid}: at is not a time"
        if not is_int(a["changes"]) or a["changes"] < 0:
            return f"answer {qid}: changes is not a count"
    return None


# ---------------------------------------------------------------------------- bundle/2 --


def _round_shape(r):
    if not exact_keys(r, ["id", "sha256"]):
        return "round is not {id, sha256}"
    if not is_str(r["id"]) or r["id"] == "":
        return "round.id is not a round id"
    if not is_str(r["sha256"]) or not HEX64.match(r["sha256"]):
        return "round.sha256 is not hex SHA-256"
    return None


def _contact_shape(c):
    if not exact_keys(c, ["id", "unit", "household", "at", "outcome", "note"]):
        return "is not {id, unit, household, at, outcome, note}"
    if not is_str(c["id"]) or not UUID.match(c["id"]):
        return "id is not a UUID"
    for k in ["unit", "household"]:
        if not is_str(c[k]) or c[k] == "":
            return f"{k} is not a non-empty string"
    if not is_int(c["at"]):
        return "at is not a time"
    if not is_str(c["outcome"]) or c["outcome"] not in OUTCOMES:
        return f"outcome {c['outcome']!r} is not one of {', '.join(OUTCOMES)}"
    if not is_str(c["note"]):
        return "note is not a string"
    return None


def _payload_shape_v2(p):
    """The shape of a bundle/2 payload: a bundle/1 payload plus `round` and `contacts`."""
    for k in ["round", "contacts"]:
        if k not in p:
            return f"{k} is missing"
    problem = _payload_shape({k: v for k, v in p.items() if k not in ("round", "contacts")})
    if problem:
        return problem
    problem = _round_shape(p["round"])
    if problem:
        return problem
    if not isinstance(p["contacts"], list):
        return "contacts is not an array"
    for i, c in enumerate(p["contacts"]):
        problem = _contact_shape(c)
        if problem:
            return f"contacts[{i}] {problem}"
    return None


def _sample_shape(r):
    """The rules bundle/2 adds to a response (response_malformed); None when they hold."""
    if "sample" not in r:
        return "a bundle/2 response without sample"
    s = r["sample"]
    if not exact_keys(s, ["round", "household", "slot", "off_sample"]):
        return "sample is not {round, household, slot, off_sample}"
    if not is_str(s["round"]):
        return "sample.round is not a string"
    if not is_str(s["household"]):
        return "sample.household is not a string"
    if s["slot"] is not None and not is_int(s["slot"]):
        return "sample.slot is neither an integer nor null"
    if not isinstance(s["off_sample"], bool):
        return "sample.off_sample is not a boolean"
    if s["off_sample"] and s["slot"] is not None:
        return "sample.slot is not null for an off-sample interview"
    if not s["off_sample"] and s["slot"] is None:
        return "sample.slot is null for an interview on the sample"
    if s["slot"] is not None and s["slot"] < 1:
        return f"sample.slot {s['slot']} is below 1"
    if s["household"] == "":
        return "sample.household is empty"
    return None


def verify(data, roster):
    """Verifies one bundle file (bytes) against a roster (keyid -> raw key). Returns the
    number of responses; raises BundleError."""
    return len(verify_payload(data, roster)["responses"])


def verify_payload(data, roster):
    """Verifies one bundle file (bytes, bundle/1 or bundle/2) against a roster (keyid -> raw
    key). Returns the verified payload (a dict); raises BundleError."""
    # 1. JSON envelope
    try:
        env = parse_json(data)
    except ValueError as e:
        raise BundleError("malformed", f"not JSON: {e}") from None
    if not _envelope_shape(env):
        raise BundleError("malformed", "not a DSSE envelope {payload, payloadType, signatures}")
    # 2. canonical
    if canon(env) != data:
        raise BundleError("not_canonical", "the file is not its own RFC 8785 canonical JSON")
    # 3. payload type, base64, signature count
    if env["payloadType"] != PAYLOAD_TYPE:
        raise BundleError("unsupported_payload_type", f"payloadType {env['payloadType']!r}")
    payload = strict_b64(env["payload"])
    if payload is None:
        raise BundleError("bad_base64", "payload is not strict base64")
    sigs = []
    for i, s in enumerate(env["signatures"]):
        sig = strict_b64(s["sig"])
        if sig is None:
            raise BundleError("bad_base64", f"signatures[{i}].sig is not strict base64")
        sigs.append(sig)
    if len(sigs) != 1:
        raise BundleError("signature_count", f"{len(sigs)} signatures, expected exactly one")
    # 4. the key named in the payload
    try:  # not trusted yet: only to know which key to use
        key_text = json.loads(payload.decode("utf-8"))["device"]["key"]
    except (ValueError, TypeError, KeyError, RecursionError):
        raise BundleError("bad_key", "cannot read device.key from the payload") from None
    key = strict_b64(key_text)
    if key is None or len(key) != 32:
        raise BundleError("bad_key", "device.key is not a base64 32-byte Ed25519 key")
    kid = keyid(key)
    if env["signatures"][0]["keyid"] != kid:
        raise BundleError("keyid_mismatch", "signatures[0].keyid is not the keyid of device.key")
    if roster.get(kid) != key:
        raise BundleError("unknown_key", f"device {kid} is not on the roster")
    # 5. signature
    if not ed25519_verify_strict(key, sigs[0], pae(PAYLOAD_TYPE, payload)):
        raise BundleError("bad_signature", "the Ed25519 signature does not verify")
    # 6. payload
    try:
        p = parse_json(payload)
    except ValueError as e:
        raise BundleError("payload_malformed", f"the payload is not JSON: {e}") from None
    if not isinstance(p, dict) or p.get("format") not in FORMATS:
        got = p.get("format") if isinstance(p, dict) else None
        raise BundleError("unsupported_version", f"format {got!r}, expected 'bundle/1' or 'bundle/2'")
    v2 = p["format"] == "bundle/2"
    problem = _payload_shape_v2(p) if v2 else _payload_shape(p)
    if problem is None and canon(p) != payload:
        problem = "the payload is not canonical JSON"
    if problem:
        raise BundleError("payload_malformed", problem)
    # 7. responses
    ids, seqs = set(), set()
    for i, e in enumerate(p["responses"]):
        r = e["response"]
        if e["hash"] != hashlib.sha256(canon(r)).hexdigest():
            raise BundleError("response_hash_mismatch", f"responses[{i}]: hash does not match")
        # bundle/2: `sample` is checked by the rules added after the bundle/1 checks (below).
        problem = _response_shape({k: v for k, v in r.items() if k != "sample"} if v2 else r)
        if problem:
            raise BundleError("response_malformed", f"responses[{i}]: {problem}")
        if (r["survey_id"], r["fingerprint"], r["device"]) != (
            p["survey"]["id"],
            p["survey"]["fingerprint"],
            kid,
        ):
            raise BundleError("response_mismatch", f"responses[{i}]: survey or device differs from the bundle")
        if r["id"] in ids:
            raise BundleError("duplicate_response", f"responses[{i}]: id {r['id']} repeated")
        ids.add(r["id"])
        if r["seq"] in seqs:
            raise BundleError("duplicate_sequence", f"responses[{i}]: seq {r['seq']} repeated")
        seqs.add(r["seq"])
        if not 1 <= r["seq"] <= p["device_seq_high"]:
            raise BundleError(
                "sequence_above_high",
                f"responses[{i}]: seq {r['seq']} not in 1..device_seq_high ({p['device_seq_high']})",
            )
        # the rules bundle/2 adds to step 7, after the bundle/1 checks of this response
        if not v2:
            if "sample" in r:  # already an unknown field in the shape check above
                raise BundleError("response_malformed", f"responses[{i}]: a bundle/1 response with sample")
            continue
        problem = _sample_shape(r)
        if problem:
            raise BundleError("response_malformed", f"responses[{i}]: {problem}")
        if r["sample"]["round"] != p["round"]["id"]:
            raise BundleError(
                "response_mismatch",
                f"responses[{i}]: sample.round {r['sample']['round']!r} is not round.id {p['round']['id']!r}",
            )
    # 8. contacts (bundle/2)
    if v2:
        contact_ids = set()
        for i, c in enumerate(p["contacts"]):
            if c["id"] in contact_ids:
                raise BundleError("duplicate_contact", f"contacts[{i}]: id {c['id']} repeated")
            contact_ids.add(c["id"])
    return p


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify result bundles (bundle/1, bundle/2).")
    parser.add_argument("--roster", required=True, help="the department's roster/1 file")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)
    try:
        with open(args.roster, "rb") as f:
            roster = load_roster(f.read())
    except (OSError, ValueError) as e:
        print(f"{args.roster}: cannot use roster: {e}", file=sys.stderr)
        return 2
    failed = 0
    for name in args.files:
        try:
            with open(name, "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"{name}: cannot read: {e}")
            failed += 1
            continue
        try:
            p = verify_payload(data, roster)
        except BundleError as e:
            print(f"{name}: {e.code}: {e.message}")
            failed += 1
        else:
            n = len(p["responses"])
            if p["format"] == "bundle/2":
                print(f"{name}: ok ({n} responses, {len(p['contacts'])} contacts)")
            else:
                print(f"{name}: ok ({n} responses)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
