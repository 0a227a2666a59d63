"""Options from the environment: every option ``--some-option`` of a command can be given as
``CHIME_LOCAL_SOME_OPTION``; a flag on the command line wins over the variable.

The mapping is derived from the argparse definitions (the option's ``dest``), so a new option is
configurable by environment without a line here. Values go through the option's own ``type``, so
a bad value fails the same check a bad flag does, but names the variable.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence

from chime_local.cli.errors import USAGE, CliError

PREFIX = "CHIME_LOCAL_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def variable(action: argparse.Action) -> str:
    return PREFIX + action.dest.upper()


def configurable(
    parser: argparse.ArgumentParser, names: Iterable[str] | None = None
) -> list[argparse.Action]:
    """The parser's long options that a variable can set (``names``: only these dests)."""
    wanted = set(names) if names is not None else None
    return [
        action
        for action in parser._actions
        if any(option.startswith("--") for option in action.option_strings)
        and not isinstance(action, argparse._HelpAction)
        and (wanted is None or action.dest in wanted)
    ]


def document(parser: argparse.ArgumentParser, names: Iterable[str] | None = None) -> None:
    """Show each option's variable in ``--help``, beside the option."""
    for action in configurable(parser, names):
        action.help = f"{action.help or ''} [env {variable(action)}]".strip()


def apply(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    environ: Mapping[str, str],
    names: Iterable[str] | None = None,
) -> None:
    """Make the variables set in ``environ`` the defaults of ``parser``'s options.

    An option given in ``argv`` keeps its flag, and so do the other options of its mutually
    exclusive group (``--db`` on the command line overrides ``CHIME_LOCAL_IN_MEMORY``).
    """
    given = {token.split("=", 1)[0] for token in argv if token.startswith("--")}
    actions = configurable(parser, names)
    overridden = {
        action.dest
        for group in parser._mutually_exclusive_groups
        if any(
            option in given for member in group._group_actions for option in member.option_strings
        )
        for action in group._group_actions
    }
    defaults = {}
    for action in actions:
        value = environ.get(variable(action), "")
        if value and action.dest not in overridden and not given & set(action.option_strings):
            defaults[action.dest] = _convert(action, value)
    _check_exclusive(parser, defaults)
    parser.set_defaults(**defaults)


def _convert(action: argparse.Action, text: str) -> object:
    name = variable(action)
    try:
        if action.nargs == 0:  # a switch such as --durable
            lowered = text.strip().lower()
            if lowered not in _TRUE | _FALSE:
                raise ValueError(f"{text!r} is not one of 1/true/yes/on or 0/false/no/off")
            return lowered in _TRUE
        if isinstance(action, argparse._AppendAction):  # repeatable: separated by spaces
            return [_typed(action, part) for part in text.split()]
        return _typed(action, text)
    except (ValueError, TypeError, argparse.ArgumentTypeError) as exc:
        raise CliError(USAGE, f"{name}: {exc or f'{text!r} is not a valid value'}") from None


def _typed(action: argparse.Action, text: str) -> object:
    value = action.type(text) if callable(action.type) else text
    if action.choices is not None and value not in action.choices:
        raise ValueError(f"must be one of {', '.join(map(str, action.choices))}")
    return value


def _check_exclusive(parser: argparse.ArgumentParser, defaults: dict[str, object]) -> None:
    for group in parser._mutually_exclusive_groups:
        members = [action for action in group._group_actions if defaults.get(action.dest)]
        if len(members) > 1:
            names = " and ".join(variable(action) for action in members)
            raise CliError(USAGE, f"{names} exclude each other: set only one of them")
