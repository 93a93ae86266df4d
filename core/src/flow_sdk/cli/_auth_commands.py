"""stub"""

from __future__ import annotations

import argparse


def register_login(parser: argparse.ArgumentParser) -> None:
    pass


def register_logout(parser: argparse.ArgumentParser) -> None:
    pass


def register_auth(parser: argparse.ArgumentParser) -> None:
    pass
