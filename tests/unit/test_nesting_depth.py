"""The body guard's bracket scan agrees with a real parse, and skips brackets inside strings."""

from __future__ import annotations

import json
import random
from typing import Any

from shared.bodyguard import MAX_DEPTH, nesting_depth


def parsed_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max([parsed_depth(v) for v in value.values()] + [0])
    if isinstance(value, list):
        return 1 + max([parsed_depth(v) for v in value] + [0])
    return 0


def test_scan_matches_the_parsed_depth_on_random_documents():
    rng = random.Random(13)
    leaves = ['a"[{\\', "x]}", 1, None, '\\"[', "ب[[", ""]

    def gen(depth: int) -> Any:
        roll = rng.random()
        if depth > 8 or roll < 0.3:
            return rng.choice(leaves)
        if roll < 0.65:
            return [gen(depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(["k[", '"{', "z"]) + str(i): gen(depth + 1) for i in range(3)}

    for _ in range(2000):
        value = gen(0)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5).encode()
        assert nesting_depth(text, limit=100) == parsed_depth(value), text


def test_scan_stops_just_past_the_limit():
    assert nesting_depth(b"[" * 1_000_000) == MAX_DEPTH + 1
    assert nesting_depth(b'["' + b"[" * 10_000 + b'"]') == 1
