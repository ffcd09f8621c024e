"""The algorithm suites: the standards' example values, a second SM2 implementation, and a ledger
that never mixes suites (at write time, and against an insider at verify time)."""

from __future__ import annotations

import hashlib
import json

import orjson
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from gmssl import sm2
from hypothesis import given, settings
from hypothesis import strategies as st

from fundledger.cli import cli
from ledger.keys import load_private, load_public, write_new_key
from ledger.suites import ED25519_SHA256, SM2_SM3, SUITES, _sodium_accepts
from tests.ledgers import disable_guard
from tests.support import BOTH_SUITES, make_keys, note


# -- SM3: GB/T 32905-2016, Appendix A ---------------------------------------------------------
@pytest.mark.parametrize("message, digest", [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),  # A.1
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),  # A.2
])
def test_sm3_gives_the_standards_example_values(message, digest):
    assert SM2_SM3.digest(message).hex() == digest
    h = SM2_SM3.new_hash()
    h.update(message[:1])
    h.update(message[1:])
    assert h.hexdigest() == digest


# -- SM2: GB/T 32918.2-2016, Appendix A (its 256-bit test curve, user ID ALICE123@YAHOO.COM) --------
_TEST_CURVE = {  # GB/T 32918.5's appendix curve Fp-256 as the signature example uses it
    "p": "8542d69e4c044f18e8b92435bf6ff7de457283915c45517d722edb8b08f1dfc3",
    "a": "787968b4fa32c3fd2417842e73bbfeff2f3c848b6831d7e0ec65228b3937e498",
    "b": "63e4c6d3b23b0c849cf84241484bfe48f61d59a5b16ba06e6e12d1da27c5249a",
    "g": "421debd61b62eab6746434ebc3cc315e32220b3badd50bdc4c4e6c147fedd43d"
         "0680512bcbb42c07d47349d2153b70c4e5d7fdfcbfa36ea1a85841b9e46e09a2",
    "n": "8542d69e4c044f18e8b92435bf6ff7dd297720630485628d5ae74ee7c32e79b7",
}
_XA, _YA = ("0ae4c7798aa0f119471bee11825be46202bb79e2a5844495e97c04ff4df2548a",
            "7c0240f88f1cd4e16352a73c17b7f16f07353e53a176d684a9fe0c6bb798e857")
_ZA = "f4a38489e32b45b6f876e3ac2168ca392362dc8f23459c1d1146fc3dbfb7bc9a"
_R, _S = ("40f1ec59f793d9f49e09dcef49130d4194f79fb1eed2caa55bacdb49c4e755d1",
          "6fc6dac32c5d5cf10c77dfb20f7c2eb667a457872fb09ec56327a67ec7deebe7")


def test_the_standards_sm2_example_verifies_in_the_cross_checking_implementation():
    """The example signature of GB/T 32918.2 Appendix A verifies in gmssl, the independent SM2 the
    tests cross-check with, and a changed bit does not: what makes it a fair referee below. (Tongsuo
    works on the recommended curve only, so the example's own curve is gmssl's to check.)"""
    ident = b"ALICE123@YAHOO.COM"
    za = SM2_SM3.digest(len(ident * 8).to_bytes(2, "big") + ident
                        + bytes.fromhex(_TEST_CURVE["a"] + _TEST_CURVE["b"] + _TEST_CURVE["g"] + _XA + _YA))
    assert za.hex() == _ZA
    e = SM2_SM3.digest(za + b"message digest")
    referee = sm2.CryptSM2(private_key=None, public_key=_XA + _YA, ecc_table=_TEST_CURVE)
    assert referee.verify(_R + _S, e)
    assert not referee.verify(_R + _S[:-1] + "8", e)


@pytest.mark.parametrize("message", [b"", b"fundledger/posting/v1\n" + bytes(32), "公示期满无异议".encode() * 40])
def test_our_sm2_and_gmssl_accept_each_others_signatures(tmp_path, message):
    """Signatures made here (Tongsuo, the default user ID 1234567812345678) verify in gmssl, and
    gmssl's verify here; each refuses the other message."""
    key = make_keys(tmp_path, "k", suite=SM2_SM3)["k"]
    private_hex = f"{key._private.private_numbers().private_value:064x}"
    referee = sm2.CryptSM2(private_key=private_hex, public_key=key.public.raw[1:].hex())
    # gmssl takes a key beginning "04" for one with the point prefix and strips every leading 0 and
    # 4 (str.lstrip): set x || y as is, or one key in 256 (x beginning 0x04) breaks the referee
    referee.public_key = key.public.raw[1:].hex()
    ours = key.sign(message)
    assert len(ours) == 64 and referee.verify_with_sm3(ours.hex(), message)
    assert not referee.verify_with_sm3(ours.hex(), message + b"!")
    theirs = bytes.fromhex(referee.sign_with_sm3(message))
    assert SM2_SM3.verify(key.public.raw, theirs, message)
    assert not SM2_SM3.verify(key.public.raw, theirs, message + b"!")


@pytest.mark.parametrize("suite", list(SUITES.values()), ids=list(SUITES))
def test_key_files_of_each_suite_round_trip(tmp_path, suite):
    public = write_new_key(tmp_path / "k.key", suite)
    signer = load_private(tmp_path / "k.key")
    assert signer.public == public == load_public(tmp_path / "k.key.pub")
    assert signer.suite is suite and public.kid.startswith(f"{suite.alg}:") and len(public.raw) == suite.public_size
    assert suite.verify(public.raw, signer.sign(b"x"), b"x") and not suite.verify(public.raw, signer.sign(b"x"), b"y")
    other = ED25519_SHA256 if suite is SM2_SM3 else SM2_SM3
    assert not other.verify(public.raw, signer.sign(b"x"), b"x")


# -- Ed25519: libsodium first, cryptography's verdict -----------------------------------------
_L = 2**252 + 27742317777372353535851937790883648493  # the order of the base point
_P = 2**255 - 19
_IDENTITY = (1).to_bytes(32, "little")  # the neutral point, y = 1
_IDENTITY_NONCANONICAL = (_P + 1).to_bytes(32, "little")  # y = p + 1, the same point
_ORDER_2 = (_P - 1).to_bytes(32, "little")  # y = -1


def _reference(public: bytes, signature: bytes, message: bytes) -> bool:
    """cryptography's (OpenSSL's) verdict, the one the ledger's Ed25519 has always been. Written
    here, not taken from ``ledger.suites``: the oracle must not change with the code it judges."""
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _k_is_even(r: bytes, a: bytes, m: bytes) -> bool:
    return int.from_bytes(hashlib.sha512(r + a + m).digest(), "little") % _L % 2 == 0


def _edge_cases() -> list[tuple[str, bytes, bytes, bytes]]:
    """Keys and signatures where implementations of Ed25519 disagree: an honest one and its
    mutations, and small-order and non-canonical keys with S = 0, which OpenSSL accepts and
    libsodium refuses."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    signature = private.sign(b"posting")
    s = int.from_bytes(signature[32:], "little")
    order_2_message = next(m for m in (b"m%d" % i for i in range(64)) if _k_is_even(_IDENTITY, _ORDER_2, m))
    return [
        ("honest", public, signature, b"posting"),
        ("another message", public, signature, b"posting!"),
        ("R altered", public, bytes([signature[0] ^ 1]) + signature[1:], b"posting"),
        ("S + L, not reduced", public, signature[:32] + (s + _L).to_bytes(32, "little"), b"posting"),
        ("another key", Ed25519PrivateKey.generate().public_key().public_bytes_raw(), signature, b"posting"),
        ("identity key, S = 0", _IDENTITY, _IDENTITY + bytes(32), b"anything"),
        ("identity key not canonical, S = 0", _IDENTITY_NONCANONICAL, _IDENTITY + bytes(32), b"anything"),
        ("R not canonical", _IDENTITY, _IDENTITY_NONCANONICAL + bytes(32), b"anything"),
        ("order-2 key, S = 0", _ORDER_2, _IDENTITY + bytes(32), order_2_message),
        ("signature one byte short", public, signature[:63], signature[63:] + b"posting"),
        ("signature one byte long", public, signature + b"\x00", b"posting"),
        ("key one byte short", public[:31], signature, b"posting"),
    ]


_EDGE_CASES = _edge_cases()


@pytest.mark.parametrize("case", _EDGE_CASES, ids=lambda c: c[0])
def test_ed25519_gives_cryptographys_verdict_where_implementations_differ(case):
    _, public, signature, message = case
    assert ED25519_SHA256.verify(public, signature, message) is _reference(public, signature, message)


def test_the_edge_cases_cover_both_verdicts_and_both_paths():
    """The cases above test something: libsodium refuses some that OpenSSL accepts (the fallback
    decides them), and the verdict is not always the same; a signature one byte short would pass
    libsodium's combined string unless its length is checked first."""
    verdicts = {c[0]: (_reference(*c[1:]), _sodium_accepts(*c[1:])) for c in _EDGE_CASES if len(c[2]) == 64}
    assert verdicts["honest"] == (True, True)
    assert verdicts["identity key, S = 0"] == verdicts["order-2 key, S = 0"] == (True, False)
    assert verdicts["identity key not canonical, S = 0"] == (True, False)
    assert verdicts["S + L, not reduced"] == verdicts["R not canonical"] == (False, False)
    _, public, short, message = next(c for c in _EDGE_CASES if c[0] == "signature one byte short")
    assert _sodium_accepts(public, short + message[:1], message[1:])  # what the length check prevents


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_EDGE_CASES), st.sampled_from(("public", "signature", "message")), st.integers(0, 10**6),
       st.integers(0, 7))
def test_ed25519_verdict_equals_cryptographys_under_any_bit_flipped(case, part, position, bit):
    _, public, signature, message = case
    fields = {"public": bytearray(public), "signature": bytearray(signature), "message": bytearray(message)}
    flipped = fields[part]
    flipped[position % len(flipped)] ^= 1 << bit
    args = (bytes(fields["public"]), bytes(fields["signature"]), bytes(fields["message"]))
    assert ED25519_SHA256.verify(*args) is _reference(*args)


# -- public keys no private key makes -----------------------------------------------------------
_ORDER_4 = bytes(32)  # y = 0
_ORDER_8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
_ORDER_8_OTHER = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
_HONEST = [Ed25519PrivateKey.from_private_bytes(bytes([k]) * 32).public_key().public_bytes_raw() for k in range(4)]


def _signed_negative(raw: bytes) -> bytes:
    return raw[:31] + bytes([raw[31] | 0x80])


def _weak_ed25519_keys() -> dict[str, bytes]:
    """Every small-order point (libsodium's list, each with its sign bit set too), non-canonical
    encodings, and mixed-order points: an honest key plus a point of order 2, 4 and 8."""
    from nacl.bindings import crypto_core_ed25519_add

    honest = _HONEST[0]
    small = {"identity": _IDENTITY, "order 2": _ORDER_2, "order 4": _ORDER_4, "order 8": _ORDER_8,
             "order 8, the other": _ORDER_8_OTHER}
    return {**small, **{f"{name}, sign bit set": _signed_negative(raw) for name, raw in small.items()},
            "identity, y = p + 1": _IDENTITY_NONCANONICAL, "order 4, y = p": _P.to_bytes(32, "little"),
            "y = p + 2 (not below p)": (_P + 2).to_bytes(32, "little"),
            **{f"honest + order {n}": crypto_core_ed25519_add(honest, t)
               for n, t in ((4, _ORDER_4), (8, _ORDER_8), (8, _ORDER_8_OTHER))},
            "honest + order 2": _honest_plus_order_2(honest)}


def _honest_plus_order_2(honest: bytes) -> bytes:
    """A + (0, −1) = (−x, −y): the negated point's y, and x's sign flipped."""
    y = int.from_bytes(honest, "little") & ((1 << 255) - 1)
    return ((_P - y) | ((honest[31] >> 7 ^ 1) << 255)).to_bytes(32, "little")


_D = -121665 * pow(121666, _P - 2, _P) % _P


def _reference_key(raw: bytes) -> bool:
    """Whether 32 bytes are the canonical encoding of a point of the prime-order subgroup other than
    the identity, from RFC 8032 §5.1.3–5.1.4 in plain integers: the test's own oracle, not the
    library the suite asks (an honest key passes, [L]A is the identity)."""
    y, sign = int.from_bytes(raw, "little") & ((1 << 255) - 1), raw[31] >> 7
    if y >= _P:
        return False
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if (v * x * x - u) % _P:
        x = x * pow(2, (_P - 1) // 4, _P) % _P
    if (v * x * x - u) % _P or (x == 0 and sign):
        return False
    x = _P - x if x & 1 != sign else x
    return (x, y) != (0, 1) and _times(_L, (x, y, 1, x * y % _P)) == (0, 1)


def _times(k: int, point: tuple[int, int, int, int]) -> tuple[int, int]:
    """[k]point by double and add in extended coordinates (RFC 8032 §5.1.4); affine (x, y)."""
    def add(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        (x1, y1, z1, t1), (x2, y2, z2, t2) = a, b
        aa, bb = (y1 - x1) * (y2 - x2) % _P, (y1 + x1) * (y2 + x2) % _P
        cc, dd = t1 * 2 * _D * t2 % _P, z1 * 2 * z2 % _P
        e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
        return e * f % _P, g * h % _P, f * g % _P, e * h % _P

    result = (0, 1, 1, 0)
    for bit in bin(k)[2:]:
        result = add(result, result)
        if bit == "1":
            result = add(result, point)
    x, y, z, _ = result
    inverse = pow(z, _P - 2, _P)
    return x * inverse % _P, y * inverse % _P


@pytest.mark.parametrize("name", sorted(_weak_ed25519_keys()))
def test_an_ed25519_key_no_private_key_makes_is_refused(name):
    raw = _weak_ed25519_keys()[name]
    assert _reference_key(raw) is False
    assert ED25519_SHA256.public_problem(raw) is not None


def test_every_ed25519_key_a_private_key_makes_is_accepted():
    for _ in range(50):
        raw = ED25519_SHA256.public_of(ED25519_SHA256.generate())
        assert _reference_key(raw) is True
        assert ED25519_SHA256.public_problem(raw) is None


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(min_size=32, max_size=32),
                 st.tuples(st.sampled_from(_HONEST), st.integers(0, 255)).map(lambda c: bytes(
                     b ^ (1 << (c[1] % 8)) if i == c[1] // 8 else b for i, b in enumerate(c[0])))))
def test_the_ed25519_key_check_is_the_references_on_any_32_bytes(raw):
    """Any bytes, and honest keys with a bit flipped (half of them points of the curve, most of
    those of mixed order): libsodium's verdict, which the suite asks, is the reference's."""
    assert (ED25519_SHA256.public_problem(raw) is None) is _reference_key(raw)


_SM2_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_SM2_A = _SM2_P - 3
_SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)


def _reference_sm2_key(raw: bytes) -> bool:
    """0x04 || x || y with x, y below the prime and y² = x³ + ax + b (GB/T 32918.5): the oracle."""
    x, y = int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")
    return raw[0] == 4 and x < _SM2_P and y < _SM2_P and (y * y - (x * x * x + _SM2_A * x + _SM2_B)) % _SM2_P == 0


_SM2_HONEST = SM2_SM3.public_of(SM2_SM3.generate())


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(min_size=65, max_size=65).map(lambda b: b"\x04" + b[1:]),
                 st.integers(0, 65 * 8 - 1).map(lambda k: bytes(
                     b ^ (1 << (k % 8)) if i == k // 8 else b for i, b in enumerate(_SM2_HONEST)))))
def test_the_sm2_key_check_is_the_references_on_any_65_bytes(raw):
    """Any point's bytes, and an honest key with a bit flipped: Tongsuo's verdict, which the suite
    asks, is the curve equation's."""
    assert (SM2_SM3.public_problem(raw) is None) is _reference_sm2_key(raw)


def test_sm2_keys_a_private_key_makes_are_accepted_and_others_refused():
    for _ in range(10):
        raw = SM2_SM3.public_of(SM2_SM3.generate())
        assert _reference_sm2_key(raw) and SM2_SM3.public_problem(raw) is None
    x, y = _SM2_HONEST[1:33], _SM2_HONEST[33:]
    for raw in (b"\x02" + x + y, b"\x06" + x + y, b"\x04" + x + bytes(32), b"\x04" + _SM2_P.to_bytes(32, "big") + y,
                b"\x04" + bytes(64)):
        assert not _reference_sm2_key(raw) and SM2_SM3.public_problem(raw) is not None


_WEAK = {"ed25519-sha256": _IDENTITY, "sm2-sm3": b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")}


def test_a_weak_key_is_not_enrolled(env, tmp_path):
    """INPUT-BODY: ``keys enroll`` of the identity point (under which anyone could sign) is refused,
    naming the field; nothing is appended."""
    from cryptography.hazmat.primitives import serialization

    pem = Ed25519PublicKey.from_public_bytes(_IDENTITY).public_bytes(serialization.Encoding.PEM,
                                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "weak.pub").write_bytes(pem)
    before = json.loads(env.run("verify", "--json").output)["entries"]
    refused = env.run("keys", "enroll", str(tmp_path / "weak.pub"), "--name", "nobody", "--role", "poster",
                      "--key", env.key_path("admin"), "--json")
    assert refused.exit_code == 2, refused.output
    finding = json.loads(refused.output)["findings"][0]
    assert (finding["rule"], finding["field"]) == ("INPUT-BODY", "body.key.public")
    assert "small-order or mixed-order point" in finding["message"]
    after = json.loads(env.run("verify", "--json").output)
    assert after["ok"] and after["entries"] == before


def test_a_ledger_is_not_initialised_with_a_weak_admin_key(tmp_path):
    """``init`` refuses the identity point as the admin key (exit 2, naming the field) and writes no
    genesis; the same call with an honest key initialises."""
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "weak.pub").write_bytes(Ed25519PublicKey.from_public_bytes(_IDENTITY).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    write_new_key(tmp_path / "admin.key")
    write_new_key(tmp_path / "log.key")
    url = f"sqlite:///{tmp_path / 'l.db'}"
    runner = CliRunner()
    refused = runner.invoke(cli, ["init", "--admin-key", str(tmp_path / "weak.pub"), "--log-key", str(tmp_path / "log.key"),
                                  "--db", url])
    assert refused.exit_code == 2 and "body.admin.public: no ed25519 public key" in refused.output
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM entries")).scalar() == 0
    engine.dispose()
    made = runner.invoke(cli, ["init", "--admin-key", str(tmp_path / "admin.key.pub"), "--log-key", str(tmp_path / "log.key"),
                               "--db", url])
    assert made.exit_code == 0, made.output


@BOTH_SUITES
def test_a_weak_key_forged_in_by_an_insider_fails_verify(env, tmp_path):
    """The insider writes a well-chained key.enroll of a key no private key makes, signed by the real
    admin key, straight into the table; on Ed25519 also a note signed under it with S = 0, which
    OpenSSL's verification accepts for any message. verify names the enrolment's seq at step 3.8."""
    from ledger.envelope import seal_posting, utc_now
    from ledger.keys import PublicKey
    from ledger.store import read_head, write_entries

    suite = env.ledger.suite
    weak = PublicKey.from_raw(_WEAK[suite.name], suite.alg)
    with env.ledger.engine.begin() as conn:
        disable_guard(conn)
        head = read_head(conn)
        body = {"key": weak.as_body(), "name": "nobody", "role": "poster"}  # as enroll_item would, unchecked
        sealed = seal_posting(ledger=env.ledger.origin, first_seq=head.seq + 1, prev=head.hash,
                              posting_id=head.posting + 1, at=utc_now(), signer=env.admin,
                              items=[("key.enroll", f"key.enroll:{weak.kid}", body)], contracts=1, suite=suite)
        write_entries(conn, sealed, head.size, suite)
        if suite is ED25519_SHA256:
            forged = _IDENTITY + bytes(32)

            class Anyone:  # signs for the identity key without any private key
                kid, suite = weak.kid, ED25519_SHA256

                @staticmethod
                def sign(message: bytes) -> bytes:
                    assert suite.verify(weak.raw, forged, message)  # what the check at enrolment prevents
                    return forged
            after = read_head(conn)
            note_sealed = seal_posting(ledger=env.ledger.origin, first_seq=after.seq + 1, prev=after.hash,
                                       posting_id=after.posting + 1, at=utc_now(), signer=Anyone,
                                       items=[("audit.note", "forged", {"text": "signed by nobody"})], contracts=1,
                                       suite=suite)
            write_entries(conn, note_sealed, after.size, suite)
    report = json.loads(env.run("verify", "--json").output)
    assert (report["exit"], report["step"], report["seq"]) == (3, "3.8", head.seq + 1)
    assert report["what"] == "key.enroll body" and f"no {suite.alg} public key" in report["found"]


# -- one suite per ledger --------------------------------------------------------------------
@BOTH_SUITES
def test_a_ledger_enrolls_keys_of_its_suite_only(env, tmp_path):
    """KEY-ALG: a key of the ledger's algorithm is enrolled; one of the other suite is refused (exit 1)."""
    other = SM2_SM3 if env.ledger.suite is ED25519_SHA256 else ED25519_SHA256
    write_new_key(tmp_path / "same.key", env.ledger.suite)
    write_new_key(tmp_path / "other.key", other)
    ok = env.run("keys", "enroll", str(tmp_path / "same.key.pub"), "--name", "clerk", "--role", "poster",
                 "--key", env.key_path("admin"), "--json")
    assert ok.exit_code == 0, ok.output
    refused = env.run("keys", "enroll", str(tmp_path / "other.key.pub"), "--name", "clerk 2", "--role", "poster",
                      "--key", env.key_path("admin"), "--json")
    assert refused.exit_code == 1
    finding = json.loads(refused.output)["findings"][0]
    assert (finding["rule"], finding["field"]) == ("KEY-ALG", "body.key.alg")
    assert (finding["expected"], finding["actual"]) == (env.ledger.suite.alg, other.alg)
    assert env.run("verify").exit_code == 0


@BOTH_SUITES
def test_a_key_of_the_other_suite_forged_in_by_an_insider_fails_verify(env, tmp_path):
    """The insider writes a well-chained key.enroll of the other suite's key, signed by the real admin
    key, straight into the table: verify names its seq at step 3.8."""
    from ledger.envelope import seal_posting, utc_now
    from ledger.store import enroll_item, read_head, write_entries

    other = SM2_SM3 if env.ledger.suite is ED25519_SHA256 else ED25519_SHA256
    stranger = write_new_key(tmp_path / "stranger.key", other)
    with env.ledger.engine.begin() as conn:
        disable_guard(conn)
        head = read_head(conn)
        item = enroll_item(stranger, "stranger", "poster")
        sealed = seal_posting(ledger=env.ledger.origin, first_seq=head.seq + 1, prev=head.hash,
                              posting_id=head.posting + 1, at=utc_now(), signer=env.admin,
                              items=[(item.kind, item.idem, item.body)], contracts=1, suite=env.ledger.suite)
        write_entries(conn, sealed, head.size, env.ledger.suite)
    report = json.loads(env.run("verify", "--json").output)
    assert (report["step"], report["seq"]) == ("3.8", head.seq + 1)
    assert report["found"] == other.alg


def test_init_and_keys_new_by_suite(tmp_path):
    runner = CliRunner()
    for name in ("admin", "log"):
        made = runner.invoke(cli, ["keys", "new", "--out", str(tmp_path / f"{name}.key"), "--suite", "sm2-sm3"])
        assert made.exit_code == 0 and made.output.startswith("sm2:")
    write_new_key(tmp_path / "ed.key")
    url = f"sqlite:///{tmp_path / 'sm.db'}"
    mixed = runner.invoke(cli, ["init", "--admin-key", str(tmp_path / "ed.key.pub"), "--log-key", str(tmp_path / "log.key"),
                                "--suite", "sm2-sm3", "--db", url])
    assert mixed.exit_code == 2 and "--admin-key is an ed25519 key" in mixed.output
    unsaid = runner.invoke(cli, ["init", "--admin-key", str(tmp_path / "admin.key.pub"),
                                 "--log-key", str(tmp_path / "log.key"), "--db", url])
    assert unsaid.exit_code == 2 and "ed25519-sha256 ledger needs ed25519 keys" in unsaid.output
    made = runner.invoke(cli, ["init", "--admin-key", str(tmp_path / "admin.key.pub"), "--log-key", str(tmp_path / "log.key"),
                               "--suite", "sm2-sm3", "--origin", "test.example/sm", "--db", url, "--json"])
    assert made.exit_code == 0, made.output
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        genesis = orjson.loads(conn.execute(sa.text("SELECT data FROM entries WHERE seq = 0")).scalar())
    engine.dispose()
    assert genesis["body"]["suite"] == "sm2-sm3" and genesis["body"]["log"]["alg"] == "sm2"
    assert genesis["posting"]["key"].startswith("sm2:")
    verified = json.loads(runner.invoke(cli, ["verify", "--json", "--db", url]).output)
    assert verified["ok"] and verified["suite"] == "sm2-sm3"
    vkey = runner.invoke(cli, ["keys", "vkey", "--db", url]).output.strip()
    assert vkey.startswith("test.example/sm+")


@BOTH_SUITES
def test_the_witness_cosigns_only_with_a_key_of_the_logs_suite(env, tmp_path):
    other = SM2_SM3 if env.ledger.suite is ED25519_SHA256 else ED25519_SHA256
    write_new_key(tmp_path / "w.key", other)
    env.run("post", "--key", env.key_path("poster"), input=note("n1"))
    assert env.run("checkpoint", "--out", str(tmp_path / "cp.note")).exit_code == 0
    vkey = env.run("keys", "vkey").output.strip()
    refused = env.run("witness", "cosign", str(tmp_path / "cp.note"), "--key", str(tmp_path / "w.key"),
                      "--state", str(tmp_path / "state"), "--log-vkey", vkey)
    assert refused.exit_code == 2 and f"the log's suite is {env.ledger.suite.name}" in refused.output
