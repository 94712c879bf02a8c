#!/usr/bin/env python3
"""Checks the result-bundle fixtures (tests/fixtures/bundles/, made by make_fixtures.py) with the
independent Python verifier verify_bundle.py, written from docs/bundle-format.md alone.

Every bundle in valid/ must verify with valid/roster.json; every other folder holds one bad
bundle.json that must fail with exactly the code in its expected.txt (using its own roster.json
when it has one, else valid/roster.json). When the `age` tool is installed, the encrypted
valid/*.bundle.json.age files must decrypt with valid/department-identity.txt to their plain
file byte for byte. And no single-byte change of valid/two-responses.bundle.json may verify
(the same seeded mutations as the Rust test). The Rust tests (crates/survey-core/tests/bundle_fixtures.rs) check the
same fixtures against survey-core's verifier.

Usage: python3 tests/bundles/check_fixtures.py   (exit 0 when every check passes, 1 otherwise)
Needs: cryptography, rfc8785 (tests/requirements.txt); optionally the `age` tool.
"""

import pathlib
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import verify_bundle  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "bundles"
VALID = FIXTURES / "valid"


class SplitMix64:
    MASK = (1 << 64) - 1

    def __init__(self, state):
        self.state = state

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)


def main():
    failures = []
    checked = 0
    roster = verify_bundle.load_roster((VALID / "roster.json").read_bytes())

    valid = sorted(VALID.glob("*.bundle.json"))
    if not valid:
        failures.append(f"no valid bundles in {VALID.relative_to(ROOT)}")
    for path in valid:
        checked += 1
        try:
            verify_bundle.verify(path.read_bytes(), roster)
        except verify_bundle.BundleError as e:
            failures.append(f"{path.relative_to(ROOT)}: rejected: {e.code}: {e.message}")

    faults = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name != "valid")
    if not faults:
        failures.append(f"no fault folders in {FIXTURES.relative_to(ROOT)}")
    for folder in faults:
        checked += 1
        name = folder.relative_to(ROOT)
        try:
            expected = (folder / "expected.txt").read_text(encoding="utf-8").strip()
            own = folder / "roster.json"
            use = verify_bundle.load_roster(own.read_bytes()) if own.exists() else roster
            data = (folder / "bundle.json").read_bytes()
        except (OSError, ValueError) as e:
            failures.append(f"{name}: unusable fixture: {e}")
            continue
        try:
            n = verify_bundle.verify(data, use)
        except verify_bundle.BundleError as e:
            if e.code != expected:
                failures.append(f"{name}: expected {expected}, got {e.code}: {e.message}")
        else:
            failures.append(f"{name}: expected {expected}, but it verified ({n} responses)")

    # No single-byte change of a valid bundle verifies: the same mutations as the Rust test
    # (SplitMix64 seeded alike, XOR with 1..=255 at every position).
    checked += 1
    original = (VALID / "two-responses.bundle.json").read_bytes()
    rng = SplitMix64(0x5EED_B0D1_E5F0_0001)
    accepted = []
    mutated = bytearray(original)
    for position in range(len(original)):
        mutated[position] = original[position] ^ (rng.next() % 255 + 1)
        try:
            verify_bundle.verify(bytes(mutated), roster)
            accepted.append(position)
        except verify_bundle.BundleError:
            pass
        mutated[position] = original[position]
    if accepted:
        failures.append(f"valid/two-responses.bundle.json: {len(accepted)} single-byte mutations verified (bytes {accepted[:10]})")

    encrypted = sorted(VALID.glob("*.bundle.json.age"))
    if shutil.which("age") is None:
        print(f"SKIP {len(encrypted)} .age decryption checks: the age tool is not installed")
    else:
        for path in encrypted:
            checked += 1
            plain = path.with_name(path.name[: -len(".age")])
            done = subprocess.run(
                ["age", "-d", "-i", str(VALID / "department-identity.txt"), str(path)],
                capture_output=True,
            )
            if done.returncode != 0:
                failures.append(f"{path.relative_to(ROOT)}: age -d failed: {done.stderr.decode().strip()}")
            elif done.stdout != plain.read_bytes():
                failures.append(f"{path.relative_to(ROOT)}: does not decrypt to {plain.name}")

    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{checked - len(failures)} of {checked} bundle checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
