"""Sum py-spy's collapsed stacks (`bench.rush --profile`) into where the workers' time went.

    .venv/bin/python -m bench.profile var/bench/profile-sqlite.txt

Prints, for the project's own functions (and a few Django ones worth watching), the
share of samples in which they were on the stack (inclusive), then the functions
that were themselves running (self).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

WATCH = ("campus/", "django/contrib/auth", "django/contrib/sessions", "sqlite3/base.py", "psycopg/")
LINE_NUMBER = re.compile(r":\d+\)$")


def load(path: Path) -> tuple[Counter[str], Counter[str], int]:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    return inclusive, own, total


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    inclusive, own, total = load(Path(argv[0]))
    if not total:
        print("Aucun échantillon.")
        return 1
    print(f"{total} échantillons\n\nInclusif (fonctions suivies) :")
    for frame, samples in inclusive.most_common():
        if any(part in frame for part in WATCH) and samples / total >= 0.01:
            print(f"  {100 * samples / total:5.1f} %  {frame}")
    print("\nPropre (les 20 premières) :")
    for frame, samples in own.most_common(20):
        print(f"  {100 * samples / total:5.1f} %  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
