#!/usr/bin/env python3
"""Writes the result-bundle fixtures under tests/fixtures/bundles/, written from
docs/bundle-format.md alone (not from the Rust code), so they show that the format can be
produced by others.

Layout:
    device-seed.hex, unenrolled-seed.hex   the two device Ed25519 seeds (32 bytes, hex)
    valid/roster.json                      roster/1 with the enrolled device only
    valid/department-identity.txt          age identity, generated once with age-keygen, reused
    valid/*.bundle.json                    bundles every verifier must accept
    valid/two-responses.bundle.json.age    two-responses.bundle.json encrypted to that identity
    valid/round-*.bundle.json              bundle/2 (a round's bundles, same device key)
    <name>/bundle.json                     one bad bundle per folder; <name> is the error code,
    <name>/expected.txt                    or `<code>-<variant>` for further ways to reach it;
    <name>/roster.json                     expected.txt holds the code; roster.json only where
                                           valid/roster.json does not fit

Deterministic: Ed25519 signatures are deterministic and every id and time is fixed, so a re-run
writes identical files. age ciphertext is random, so the .age file is only re-made when it is
missing or does not decrypt to the current plain file.

Usage: python3 tests/bundles/make_fixtures.py
Needs: cryptography, rfc8785 (tests/requirements.txt) and the `age`, `age-keygen` tools.
"""

import base64
import copy
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "bundles"
VALID = OUT / "valid"
SURVEY_FILE = ROOT / "survey-schemas" / "party-building-satisfaction.json"
OTHER_SURVEY_FILE = ROOT / "survey-schemas" / "openness-of-affairs.json"

PAYLOAD_TYPE = "application/vnd.survey-kit.bundle+json"
L = 2**252 + 27742317777372353535851937790883648493  # order of the Ed25519 base point

# Fixed test seeds (never use these for anything real).
DEVICE_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
UNENROLLED_SEED = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
# Only used to build the small-order-key forgery: R = its public key, S = its scalar.
FORGERY_SEED = bytes.fromhex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7")

EVALUATOR = "李明"
TEAM = "第三方测评一组"
APP_VERSION = "0.1.0"


# ---------------------------------------------------------------- primitives (from the doc) --


def canon(value):
    """RFC 8785 canonical JSON bytes."""
    return rfc8785.dumps(value)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def public_key(seed):
    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def keyid(raw_public_key):
    return sha256_hex(raw_public_key)


def pae(payload_type, payload):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def sign(seed, payload, payload_type=PAYLOAD_TYPE):
    return Ed25519PrivateKey.from_private_bytes(seed).sign(pae(payload_type, payload))


def envelope(payload, seed, payload_type=PAYLOAD_TYPE, key_id=None, sig=None):
    """The envelope as a dict; signed properly unless `sig` is given."""
    if sig is None:
        sig = sign(seed, payload, payload_type)
    if key_id is None:
        key_id = keyid(public_key(seed))
    return {
        "payload": b64(payload),
        "payloadType": payload_type,
        "signatures": [{"keyid": key_id, "sig": b64(sig)}],
    }


# ------------------------------------------------------------------------------ contents --

SURVEY = json.loads(SURVEY_FILE.read_text(encoding="utf-8"))
SURVEY_ID = SURVEY["id"]
SURVEY_VERSION = SURVEY["version"]
FINGERPRINT = sha256_hex(canon(SURVEY))
OTHER_SURVEY = json.loads(OTHER_SURVEY_FILE.read_text(encoding="utf-8"))

# 2026-03-12 09:00:00 +08:00 in ms since the epoch.
DAY = 1773277200000
MINUTE = 60_000


def answers_in_order(pairs, start, seconds_apart=14):
    """question id -> {value, at, changes}; answers given `seconds_apart` after each other."""
    out = {}
    for i, (qid, value, changes) in enumerate(pairs):
        out[qid] = {"value": value, "at": start + (i + 1) * seconds_apart * 1000 + 137 * i, "changes": changes}
    return out


def response_one(seq, device_keyid):
    start = DAY + 12 * MINUTE + 4_210
    answers = answers_in_order(
        [
            ("bg_relation", "registered", 0),
            ("bg_years", "gt10", 0),
            ("bg_identity", "public", 0),
            ("branch_unity", 5, 0),
            ("branch_contact", 4, 1),
            ("image_badge", 4, 0),
            ("branch_members_role", 5, 0),
            ("conduct_fair", 4, 0),
            ("member_review", 3, 0),
            ("open_affairs", 4, 0),
            ("open_board_stale", 2, 1),
            ("records_lists", 4, 0),
            ("open_decisions", 3, 0),
            ("svc_centre", 5, 0),
            ("svc_requests", 4, 0),
            ("svc_asked", True, 0),
            ("svc_asked_result", 4, 0),
            ("svc_projects", 5, 0),
            ("story_talks", 4, 0),
            ("story_examples", 3, 0),
            ("dev_environment", 5, 0),
            ("dev_economy", 3, 0),
            ("suggestions", "希望村里的路灯晚上能多开一会儿，公示栏的内容也可以更新得更勤一些。", 2),
        ],
        start,
    )
    return {
        "id": "6f1d2c84-93a7-4b1e-8c55-0d2e7f9a4b31",
        "survey_id": SURVEY_ID,
        "fingerprint": FINGERPRINT,
        "unit": "yunling_qingxi",
        "device": device_keyid,
        "seq": seq,
        "answers": answers,
        "started_at": start,
        "finished_at": start + 6 * MINUTE + 48_512,
        "mode": "interview",
        "lang": "zh-CN",
        "app_version": APP_VERSION,
    }


def response_two(seq, device_keyid):
    start = DAY + 31 * MINUTE + 55_020
    answers = answers_in_order(
        [
            ("bg_relation", "resident_nonlocal", 0),
            ("bg_years", "y3_10", 1),
            ("bg_identity", "party_member", 0),
            ("branch_unity", 4, 0),
            ("branch_contact", 3, 0),
            ("image_badge", 5, 0),
            ("branch_members_role", 4, 0),
            ("conduct_fair", 9, 0),  # 9: the unscored "don't know"
            ("member_review", 4, 0),
            ("open_affairs", 3, 0),
            ("open_board_stale", 4, 0),
            ("records_lists", 3, 1),
            ("open_decisions", 4, 0),
            ("svc_centre", 4, 0),
            ("svc_requests", 3, 0),
            ("svc_asked", False, 0),  # so svc_asked_result is not relevant and absent
            ("svc_projects", 4, 0),
            ("story_talks", 5, 0),
            ("story_examples", 4, 0),
            ("dev_environment", 4, 0),
            ("dev_economy", 2, 0),
            ("suggestions", "", 0),
        ],
        start,
        seconds_apart=11,
    )
    del answers["suggestions"]  # an optional question left blank is not in the answers
    return {
        "id": "c03b7e52-1a4f-4d69-b2e8-7a91f0c6d8e4",
        "survey_id": SURVEY_ID,
        "fingerprint": FINGERPRINT,
        "unit": "yunling_qingxi",
        "device": device_keyid,
        "seq": seq,
        "answers": answers,
        "started_at": start,
        "finished_at": start + 5 * MINUTE + 3_911,
        "mode": "self",
        "lang": "en",
        "app_version": APP_VERSION,
    }


def entry(response):
    return {"response": response, "hash": sha256_hex(canon(response))}


def payload_dict(responses, seq_high, seed=DEVICE_SEED, bundle_id="0b9e4f1a-5c2d-4e87-9f36-a1d2c3b4e5f6"):
    return {
        "format": "bundle/1",
        "bundle_id": bundle_id,
        "created_at": DAY + 2 * 60 * MINUTE + 17_345,
        "device": {"key": b64(public_key(seed)), "evaluator": EVALUATOR, "team": TEAM},
        "survey": {"id": SURVEY_ID, "version": SURVEY_VERSION, "fingerprint": FINGERPRINT},
        "device_seq_high": seq_high,
        "responses": [entry(r) for r in responses],
    }


DEVICE_KEYID = keyid(public_key(DEVICE_SEED))
UNENROLLED_KEYID = keyid(public_key(UNENROLLED_SEED))


def two_responses_payload(seed=DEVICE_SEED):
    kid = keyid(public_key(seed))
    return payload_dict([response_one(1, kid), response_two(2, kid)], 2, seed=seed)


# ---- bundle/2 (docs/bundle-format.md, "Rounds: `bundle/2`")

# The example round tests/fixtures/rounds/example/2026-q4-example.round.json when these fixtures
# were written: its id, the SHA-256 of its payload bytes and, for unit yunling_qingxi, the first
# households of its draw order and one household of its frame that was not drawn. Fixed here (not
# read from that file) so that these fixtures do not change when the round is rebuilt; whether the
# hash names a known round and the households agree with its draw is decided at import, not by
# the bundle verifier.
ROUND_ID = "2026-q4-example"
ROUND_SHA256 = "a1267b6e6f7e53e8dd3eb3e5f04d914b778c7f6ed2323fe623d72aa5f1ed1a8a"
ROUND_UNIT = "yunling_qingxi"
DRAWN = ["青溪村二组25号", "青溪村六组1号", "青溪村六组11号"]  # slots 1, 2, 3
NOT_DRAWN = "青溪村一组2号"


def with_sample(response, household, slot, off_sample=None, round_id=ROUND_ID):
    """The response with a `sample` field; off_sample defaults to `slot is None`."""
    r = copy.deepcopy(response)
    if off_sample is None:
        off_sample = slot is None
    r["sample"] = {"round": round_id, "household": household, "slot": slot, "off_sample": off_sample}
    return r


def contact(cid, household, at, outcome, note):
    return {"id": cid, "unit": ROUND_UNIT, "household": household, "at": at, "outcome": outcome, "note": note}


ROUND_CONTACTS = [
    contact("3e8f1a27-6b4d-4c90-a5e2-91d7c0b6f483", DRAWN[0], DAY + 3 * MINUTE + 12_480, "not_at_home",
            "家中无人，邻居说下午回来。"),
    contact("a4c29d7e-0f53-4b18-9e6a-2d85b7c1f039", DRAWN[1], DAY + 21 * MINUTE + 40_115, "refused", ""),
    contact("5d07b3e9-8a12-4f6c-b4d1-6e93a2c8f7b0", DRAWN[2], DAY + 27 * MINUTE + 2_906, "vacant",
            "房屋空置，门上贴有出租告示。"),
]


def round_payload_dict(responses, contacts, seq_high, bundle_id, created_at):
    p = payload_dict(responses, seq_high, bundle_id=bundle_id)
    p["format"] = "bundle/2"
    p["created_at"] = created_at
    p["round"] = {"id": ROUND_ID, "sha256": ROUND_SHA256}
    p["contacts"] = copy.deepcopy(contacts)
    return p


def round_responses():
    """Slot 1 interviewed after an earlier not-at-home visit; one off-sample interview."""
    return [
        with_sample(response_one(1, DEVICE_KEYID), DRAWN[0], 1),
        with_sample(response_two(2, DEVICE_KEYID), NOT_DRAWN, None),
    ]


def round_two_responses_payload(responses=None, contacts=None):
    return round_payload_dict(
        round_responses() if responses is None else responses,
        ROUND_CONTACTS if contacts is None else contacts,
        2,
        bundle_id="7c4e2a91-3f5b-4d08-8e16-b9a0d3c5e7f2",
        created_at=DAY + 3 * 60 * MINUTE + 5_218,
    )


def roster(keys):
    return {
        "format": "roster/1",
        "devices": [
            {"key": b64(k), "keyid": keyid(k), "evaluator": EVALUATOR, "team": TEAM} for k in keys
        ],
    }


def roster_bytes(keys):
    return (json.dumps(roster(keys), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def signed_file(payload_obj, seed=DEVICE_SEED, **kw):
    return canon(envelope(canon(payload_obj), seed, **kw))


# ----------------------------------------------------------------------------- writing --


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def run(*args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, check=True).stdout


def department_identity():
    """The age identity file: made once with age-keygen, reused afterwards."""
    path = VALID / "department-identity.txt"
    if not path.exists():
        VALID.mkdir(parents=True, exist_ok=True)
        subprocess.run(["age-keygen", "-o", str(path)], capture_output=True, check=True)
    recipient = run("age-keygen", "-y", str(path)).decode("ascii").strip()
    return path, recipient


def write_age(plain_path):
    identity, recipient = department_identity()
    age_path = plain_path.with_name(plain_path.name + ".age")
    plain = plain_path.read_bytes()
    if age_path.exists():
        try:
            if run("age", "-d", "-i", str(identity), str(age_path)) == plain:
                return
        except subprocess.CalledProcessError:
            pass
    subprocess.run(["age", "-r", recipient, "-o", str(age_path), str(plain_path)], check=True)
    assert run("age", "-d", "-i", str(identity), str(age_path)) == plain


def fault(name, code, data, roster_keys=None):
    folder = OUT / name
    write(folder / "bundle.json", data)
    write(folder / "expected.txt", code + "\n")
    roster_path = folder / "roster.json"
    if roster_keys is not None:
        write(roster_path, roster_bytes(roster_keys))
    elif roster_path.exists():
        roster_path.unlink()
    return name


def main():
    device_pub = public_key(DEVICE_SEED)
    write(OUT / "device-seed.hex", DEVICE_SEED.hex() + "\n")
    write(OUT / "unenrolled-seed.hex", UNENROLLED_SEED.hex() + "\n")
    write(VALID / "roster.json", roster_bytes([device_pub]))

    # ---- valid bundles
    good_payload = two_responses_payload()
    good_payload_bytes = canon(good_payload)
    good_env = envelope(good_payload_bytes, DEVICE_SEED)
    good = canon(good_env)
    write(VALID / "two-responses.bundle.json", good)
    write(VALID / "empty.bundle.json", signed_file(payload_dict([], 0)))
    gap = payload_dict([response_one(1, DEVICE_KEYID), response_two(3, DEVICE_KEYID)], 4)
    write(VALID / "gap.bundle.json", signed_file(gap))
    write_age(VALID / "two-responses.bundle.json")
    round_payload = round_two_responses_payload()
    write(VALID / "round-two-responses.bundle.json", signed_file(round_payload))
    # Before any interview of the round: contacts only, nothing issued yet.
    contacts_only = round_payload_dict(
        [], ROUND_CONTACTS[1:], 0, bundle_id="e2d5b8c1-4a7f-4e39-b60d-1f8c9a3e5d74", created_at=DAY + 45 * MINUTE + 9_631
    )
    write(VALID / "round-contacts-only.bundle.json", signed_file(contacts_only))

    made = []

    # ---- 1. malformed
    made.append(fault("malformed", "malformed", good[: len(good) // 2]))
    made.append(
        fault(
            "malformed-unknown-field",
            "malformed",
            canon(dict(good_env, note="added by the courier")),
        )
    )

    # ---- 2. not_canonical
    pretty = json.dumps(good_env, indent=2, sort_keys=True).encode("utf-8")
    made.append(fault("not_canonical", "not_canonical", pretty))
    made.append(fault("not_canonical-trailing-newline", "not_canonical", good + b"\n"))

    # ---- 3. payload type, base64, signature count
    other_type = "application/json"
    made.append(
        fault(
            "unsupported_payload_type",
            "unsupported_payload_type",
            canon(envelope(good_payload_bytes, DEVICE_SEED, payload_type=other_type)),
        )
    )
    env = copy.deepcopy(good_env)
    if len(good_payload_bytes) % 3 == 0:
        sys.exit("the two-responses payload needs no padding; change a fixed value")
    env["payload"] = env["payload"].rstrip("=")
    made.append(fault("bad_base64", "bad_base64", canon(env)))
    # The same signature with non-zero trailing bits: 64 bytes end in 2 characters + "==", of
    # which the second carries 4 unused bits. A lax decoder reads the same signature.
    env = copy.deepcopy(good_env)
    sig = env["signatures"][0]["sig"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(sig[-3])
    assert last & 0x0F == 0
    env["signatures"][0]["sig"] = sig[:-3] + alphabet[last | 0x05] + "=="
    assert base64.b64decode(env["signatures"][0]["sig"]) == base64.b64decode(sig)
    made.append(fault("bad_base64-trailing-bits", "bad_base64", canon(env)))

    env = copy.deepcopy(good_env)
    env["signatures"].append(
        {"keyid": UNENROLLED_KEYID, "sig": b64(sign(UNENROLLED_SEED, good_payload_bytes))}
    )
    made.append(fault("signature_count", "signature_count", canon(env)))
    env = copy.deepcopy(good_env)
    env["signatures"] = []
    made.append(fault("signature_count-none", "signature_count", canon(env)))

    # ---- 4. key, keyid, roster
    bad_key_payload = copy.deepcopy(good_payload)
    bad_key_payload["device"]["key"] = b64(device_pub[:31])
    made.append(fault("bad_key", "bad_key", signed_file(bad_key_payload)))
    made.append(
        fault(
            "keyid_mismatch",
            "keyid_mismatch",
            canon(envelope(good_payload_bytes, DEVICE_SEED, key_id=UNENROLLED_KEYID)),
        )
    )
    made.append(
        fault("unknown_key", "unknown_key", signed_file(two_responses_payload(UNENROLLED_SEED), UNENROLLED_SEED))
    )

    # ---- 5. signature
    env = copy.deepcopy(good_env)
    sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
    sig[10] ^= 0x01
    env["signatures"][0]["sig"] = b64(bytes(sig))
    made.append(fault("bad_signature", "bad_signature", canon(env)))
    # S + L: same signature with an unreduced scalar; only a strict verifier rejects it.
    sig = base64.b64decode(good_env["signatures"][0]["sig"])
    s = int.from_bytes(sig[32:], "little")
    made.append(
        fault(
            "bad_signature-s-not-reduced",
            "bad_signature",
            canon(envelope(good_payload_bytes, DEVICE_SEED, sig=sig[:32] + (s + L).to_bytes(32, "little"))),
        )
    )
    # Signed over the payload alone instead of PAE(payloadType, payload).
    raw_sig = Ed25519PrivateKey.from_private_bytes(DEVICE_SEED).sign(good_payload_bytes)
    made.append(
        fault("bad_signature-no-pae", "bad_signature", canon(envelope(good_payload_bytes, DEVICE_SEED, sig=raw_sig)))
    )
    # A small-order device key (the identity point) on the roster: with A = identity the
    # cofactorless equation [S]B = R + [k]A holds for R = [r]B, S = r and any message, so a lax
    # verifier accepts this forgery. Strict verification must reject small-order keys.
    identity_point = (1).to_bytes(32, "little")
    h = bytearray(hashlib.sha512(FORGERY_SEED).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    r = int.from_bytes(h, "little") % L
    forged = public_key(FORGERY_SEED) + r.to_bytes(32, "little")
    weak_payload = copy.deepcopy(good_payload)
    weak_payload["device"]["key"] = b64(identity_point)
    weak_kid = keyid(identity_point)
    for e in weak_payload["responses"]:
        e["response"]["device"] = weak_kid
        e["hash"] = sha256_hex(canon(e["response"]))
    made.append(
        fault(
            "bad_signature-small-order-key",
            "bad_signature",
            canon(envelope(canon(weak_payload), DEVICE_SEED, key_id=weak_kid, sig=forged)),
            roster_keys=[device_pub, identity_point],
        )
    )

    # ---- 6. payload
    p = copy.deepcopy(good_payload)
    p["format"] = "bundle/3"  # bundle/2 is supported (rounds)
    made.append(fault("unsupported_version", "unsupported_version", signed_file(p)))
    p = copy.deepcopy(good_payload)
    p["device_seq_high"] = "2"
    made.append(fault("payload_malformed", "payload_malformed", signed_file(p)))
    p = copy.deepcopy(good_payload)
    p["comment"] = "exported after the evening visit"
    made.append(fault("payload_malformed-unknown-field", "payload_malformed", signed_file(p)))

    # ---- 7. responses
    p = copy.deepcopy(good_payload)
    p["responses"][0]["response"]["answers"]["branch_unity"]["value"] = 1  # hash left as it was
    made.append(fault("response_hash_mismatch", "response_hash_mismatch", signed_file(p)))

    r2 = response_two(2, DEVICE_KEYID)
    r2["mode"] = "phone"
    p = payload_dict([response_one(1, DEVICE_KEYID), r2], 2)
    made.append(fault("response_malformed", "response_malformed", signed_file(p)))

    r2 = response_two(2, DEVICE_KEYID)
    r2["survey_id"] = OTHER_SURVEY["id"]
    r2["fingerprint"] = sha256_hex(canon(OTHER_SURVEY))
    p = payload_dict([response_one(1, DEVICE_KEYID), r2], 2)
    made.append(fault("response_mismatch", "response_mismatch", signed_file(p)))
    p = payload_dict([response_one(1, DEVICE_KEYID), response_two(2, UNENROLLED_KEYID)], 2)
    made.append(fault("response_mismatch-device", "response_mismatch", signed_file(p)))

    r2 = response_two(2, DEVICE_KEYID)
    r2["id"] = response_one(1, DEVICE_KEYID)["id"]
    p = payload_dict([response_one(1, DEVICE_KEYID), r2], 2)
    made.append(fault("duplicate_response", "duplicate_response", signed_file(p)))

    p = payload_dict([response_one(1, DEVICE_KEYID), response_two(1, DEVICE_KEYID)], 2)
    made.append(fault("duplicate_sequence", "duplicate_sequence", signed_file(p)))

    p = payload_dict([response_one(1, DEVICE_KEYID), response_two(3, DEVICE_KEYID)], 2)
    made.append(fault("sequence_above_high", "sequence_above_high", signed_file(p)))
    # The doc's rule is 1 <= seq <= device_seq_high, so seq 0 fails with the same code.
    p = payload_dict([response_one(0, DEVICE_KEYID), response_two(2, DEVICE_KEYID)], 2)
    made.append(fault("sequence_above_high-zero", "sequence_above_high", signed_file(p)))

    # ---- bundle/2: step 6 (payload shape)
    p = copy.deepcopy(good_payload)
    p["round"] = {"id": ROUND_ID, "sha256": ROUND_SHA256}
    made.append(fault("payload_malformed-round-in-bundle1", "payload_malformed", signed_file(p)))
    p = copy.deepcopy(round_payload)
    del p["contacts"]
    made.append(fault("payload_malformed-contacts-missing", "payload_malformed", signed_file(p)))
    p = copy.deepcopy(round_payload)
    p["contacts"][1]["outcome"] = "moved_away"
    made.append(fault("payload_malformed-unknown-outcome", "payload_malformed", signed_file(p)))
    p = copy.deepcopy(round_payload)
    p["contacts"][2]["phone"] = "13800000000"
    made.append(fault("payload_malformed-contact-unknown-field", "payload_malformed", signed_file(p)))

    # ---- bundle/2: step 7 (the added response rules); every hash is over the changed response
    r2 = with_sample(response_two(2, DEVICE_KEYID), NOT_DRAWN, None)
    p = payload_dict([response_one(1, DEVICE_KEYID), r2], 2)  # a bundle/1 payload
    made.append(fault("response_malformed-sample-in-bundle1", "response_malformed", signed_file(p)))
    rs = round_responses()
    del rs[1]["sample"]
    p = round_two_responses_payload(responses=rs)
    made.append(fault("response_malformed-sample-missing", "response_malformed", signed_file(p)))
    rs = round_responses()
    rs[1]["sample"]["slot"] = 2  # off_sample stays true
    p = round_two_responses_payload(responses=rs)
    made.append(fault("response_malformed-slot-with-off-sample", "response_malformed", signed_file(p)))
    rs = round_responses()
    rs[0]["sample"]["slot"] = 0
    p = round_two_responses_payload(responses=rs)
    made.append(fault("response_malformed-slot-zero", "response_malformed", signed_file(p)))
    rs = round_responses()
    rs[0]["sample"]["household"] = ""
    p = round_two_responses_payload(responses=rs)
    made.append(fault("response_malformed-empty-household", "response_malformed", signed_file(p)))
    rs = round_responses()
    rs[1]["sample"]["round"] = "2026-q3-example"
    p = round_two_responses_payload(responses=rs)
    made.append(fault("response_mismatch-sample-round", "response_mismatch", signed_file(p)))

    # ---- bundle/2: step 8 (contacts)
    cs = copy.deepcopy(ROUND_CONTACTS)
    cs[2]["id"] = cs[0]["id"]
    p = round_two_responses_payload(contacts=cs)
    made.append(fault("duplicate_contact", "duplicate_contact", signed_file(p)))

    # Folders this script no longer makes would linger with stale expectations: remove them.
    keep = set(made) | {"valid"}
    for child in sorted(OUT.iterdir()):
        if child.is_dir() and child.name not in keep and (child / "expected.txt").exists():
            shutil.rmtree(child)

    print(f"wrote {OUT.relative_to(ROOT)}: 5 valid bundles (+ .age), {len(made)} faults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
