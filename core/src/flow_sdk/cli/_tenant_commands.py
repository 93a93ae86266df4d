"""stub"""

from __future__ import annotations

import argparse


def register_orgs(parser: argparse.ArgumentParser) -> None:
    pass


def register_workspaces(parser: argparse.ArgumentParser) -> None:
    pass


def register_profiles(parser: argparse.ArgumentParser) -> None:
    pass
