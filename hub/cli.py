"""The `slthub` command. Until the hub skeleton lands it only reports its version."""

from importlib.metadata import version


def main() -> None:
    print(f"slthub {version('slt-hub')}")
