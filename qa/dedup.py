"""Near-duplicate articles: syndicated copies and updated versions of the same story.

A signature is a MinHash of the article's word 5-shingles (5 consecutive words of the text,
lowercased, punctuation removed); the estimated Jaccard similarity of two signatures says
what share of their shingles two texts have in common. ``DuplicateFinder`` keeps signatures in
an LSH table so finding an article's near-duplicates does not compare it with every article.

Why these settings:

- **Word 5-shingles.** A syndicated copy differs from the original by a byline, a credit line
  ("Reporting by ...; editing by ...") or a sentence or two; an update adds paragraphs. Each
  changed word touches at most 5 shingles, so an 800-word copy with a new credit line and one
  rewritten sentence keeps ~95% of its shingles (Jaccard ~0.9), and an update that adds a
  third more text still scores ~0.75. Two different stories on the same topic share names and
  stock phrases ("the prime minister said on"), but rarely five words in a row, so their
  Jaccard stays near 0 (single words or 2-shingles would make them look alike).
- **num_perm=64.** The estimate's standard error is sqrt(J(1-J)/64), about 0.06 at J=0.7:
  enough to separate copies (0.8-1.0) from different stories (< 0.1), at 256 bytes per
  article in SQLite (64 uint32 hash values). 128 would cut the error to ~0.04 for twice the
  room, which the wide gap between the two groups does not need.
- **threshold=0.7.** Below the copies and modest updates above, far above different stories.
  A rewrite that keeps less than ~70% of the text is treated as a new article, which is right:
  its sentences are then worth citing separately.

Signatures are deterministic across processes and machines: datasketch hashes shingles with
SHA-1 and draws its permutations from a fixed seed, never from Python's salted ``hash``. The
permutation scheme is pinned (datasketch 2's "affine32"): signatures made with another scheme
(or by datasketch 1.x) are different numbers and must be recomputed, not compared.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SHINGLE_WORDS = 5
DEFAULT_THRESHOLD = 0.7
# Stored signatures depend on both: datasketch's defaults, written down so they cannot drift.
SEED = 1
SCHEME = "affine32"
SIGNATURE_BYTES = NUM_PERM * 4  # uint32 hash values

_PUNCTUATION = re.compile(r"[^\w\s]+")


def normalise(text: str) -> list[str]:
    """The words of ``text``: Unicode-normalised, lowercased, punctuation removed (curly and
    straight quotes, dashes and commas differ between copies of the same story)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _PUNCTUATION.sub(" ", text).split()


def shingles(text: str) -> set[str]:
    """The word 5-shingles of ``text``; a text shorter than 5 words is one shingle."""
    words = normalise(text)
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> bytes:
    """The MinHash of ``text``'s shingles as 64 little-endian uint32s (256 bytes)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return minhash.hashvalues.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures (0.0 to 1.0)."""
    return float(np.mean(_hashvalues(a) == _hashvalues(b)))


class DuplicateFinder:
    """Signatures by key (e.g. article id) in an LSH table: ``find`` returns the keys whose
    estimated similarity to a signature is at least ``threshold``, best first."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold of {threshold} is not between 0 and 1; 0.7 is usual")
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: object) -> bool:
        return key in self._signatures

    def add(self, key: str, sig: bytes) -> None:
        """Store ``sig`` under ``key``, replacing any signature the key had."""
        values = _hashvalues(sig)
        self.remove(key)
        self._lsh.insert(key, _minhash(values))
        self._signatures[key] = values

    def remove(self, key: str) -> None:
        """Forget ``key``; a key that is not there is ignored (removal is idempotent)."""
        if self._signatures.pop(key, None) is not None:
            self._lsh.remove(key)

    def find(self, sig: bytes) -> list[tuple[str, float]]:
        """(key, estimated similarity) of near-duplicates of ``sig``, best first. LSH only
        proposes candidates; each is checked against the threshold on its full signature."""
        values = _hashvalues(sig)
        found = []
        for key in self._lsh.query(_minhash(values)):
            score = float(np.mean(self._signatures[key] == values))
            if score >= self.threshold:
                found.append((key, score))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def _hashvalues(sig: bytes) -> np.ndarray:
    if len(sig) != SIGNATURE_BYTES:
        raise ValueError(
            f"a signature is {SIGNATURE_BYTES} bytes (num_perm={NUM_PERM}) but this one is "
            f"{len(sig)}; recompute it with qa.dedup.signature(text)"
        )
    return np.frombuffer(sig, dtype="<u4").astype(np.uint32)


def _minhash(values: np.ndarray) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, scheme=SCHEME)
