"""``flow completion bash|zsh|fish``: a completion script made from the command tree.

The script is generated from the parser ``flow`` builds with every installed
plugin's groups loaded, so it completes plugin commands, their verbs and
options, and the choices of options (``--format jsonl|csv``). It is a
snapshot: run it again after installing or removing a plugin. Profile names
(``--profile``, ``flow profiles use``) are asked of ``flow`` when completed,
through a hidden ``flow completion --complete profiles``.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ._context import CommandContext
from ._parser import APP_DEST, GLOBAL_OPTIONS, HANDLER_DEST, LazySubcommands, UsageError

__all__ = [
    "CommandNode",
    "command_tree",
    "completion_script",
    "host_completion_script",
    "register_completion",
]

SHELLS = ("bash", "zsh", "fish")
PROFILES = "@profiles"  # a kind of word asked of `flow` when completed

INSTALL = """\
Install it for your shell (run it again after installing or removing a plugin):

  bash  in ~/.bashrc:   source <({prog} completion bash)
        or once:        {prog} completion bash > ~/.local/share/bash-completion/completions/{prog}
  zsh   in ~/.zshrc, after compinit:   source <({prog} completion zsh)
        or once:        {prog} completion zsh > "${{fpath[1]}}/_{prog}"   (then start a new zsh)
  fish  once:           {prog} completion fish > ~/.config/fish/completions/{prog}.fish
"""


@dataclass
class Option:
    """One option of a command, as completion needs it."""

    strings: list[str]
    takes_value: bool
    choices: list[str] | None
    help: str


@dataclass
class CommandNode:
    """A command, its verbs (``commands``; ``aliases`` maps an alias to its verb),
    its options, and the words its first positional argument can be."""

    path: tuple[str, ...]
    help: str
    options: list[Option] = field(default_factory=list)
    commands: dict[str, CommandNode] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    arguments: list[str] = field(default_factory=list)
    flow: bool = False
    """Whether this is the top of a ``flow`` tree (``flow`` itself, or where a host
    program mounted it)."""

    def walk(self) -> Iterator[CommandNode]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.commands.values():
            yield from child.walk()


def _options(parser: argparse.ArgumentParser) -> list[Option]:
    options = []
    for action in parser._actions:
        if not action.option_strings or action.help is argparse.SUPPRESS:
            continue
        choices = [str(c) for c in action.choices] if action.choices is not None else None
        options.append(
            Option(list(action.option_strings), action.nargs != 0, choices, action.help or "")
        )
    return options


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if action.option_strings or isinstance(action, argparse._SubParsersAction):
            continue
        if action.help is argparse.SUPPRESS:
            return []
        return [str(c) for c in action.choices] if action.choices is not None else []
    return []


def command_tree(
    parser: argparse.ArgumentParser,
    path: tuple[str, ...] = (),
    *,
    help: str = "",
    warn: Callable[[str], None] | None = None,
) -> CommandNode:
    """Every command under ``parser``, loading each lazy group (one that fails to
    load is kept as a word with no verbs, and reported to ``warn``)."""
    node = CommandNode(path, help, _options(parser), arguments=_arguments(parser))
    node.flow = parser.get_default(APP_DEST) is not None
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        primary: dict[int, str] = {}
        for name, sub in list(action.choices.items()):
            if id(sub) in primary:
                node.aliases[name] = primary[id(sub)]
                continue
            primary[id(sub)] = name
            if isinstance(action, LazySubcommands):
                try:
                    action.load(name)
                except Exception as exc:
                    if warn is not None:
                        warn(f"`{' '.join((*path, name))}` is completed without its verbs: {exc}")
                    node.commands[name] = CommandNode((*path, name), helps.get(name, ""))
                    continue
            node.commands[name] = command_tree(
                sub, (*path, name), help=helps.get(name, ""), warn=warn
            )
    return node


# the scripts


def _sq(text: str) -> str:
    """``text`` in single quotes for bash and zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _fq(text: str) -> str:
    """``text`` in single quotes for fish."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("%%", "%")).strip()


@dataclass
class _Tables:
    """The tree flattened into the lookups every script uses, keyed by command path
    (``"flow agents list"``) or path and option (``"flow datasets upload --format"``)."""

    profiles: str = "flow completion --complete profiles"
    """The command that prints the profile names (the ``flow`` tree's own)."""
    common: list[tuple[str, str]] = field(default_factory=list)
    """The options every command has (the global ones, and --help): said once."""
    common_valued: list[str] = field(default_factory=list)
    subs: dict[str, list[str]] = field(default_factory=dict)
    helps: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    valued: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    arguments: dict[str, list[str]] = field(default_factory=dict)


COMMON = frozenset({*GLOBAL_OPTIONS, "-h", "--help"})


def _tables(tree: CommandNode, prog: str) -> _Tables:
    # Where the flow tree is: the top, or where a host program mounted it. Under a host,
    # only --help is every command's; flow's global options are its commands' own.
    top = next((node for node in tree.walk() if node.flow), tree)
    at = len(top.path)
    shared = COMMON if at == 0 else frozenset({"-h", "--help"})
    tables = _Tables(profiles=" ".join((prog, *top.path, "completion --complete profiles")))
    common = [o for o in tree.options if set(o.strings) <= shared]
    tables.common = [(s, _one_line(o.help)) for o in common for s in o.strings]
    tables.common_valued = [s for o in common if o.takes_value for s in o.strings]
    for node in tree.walk():
        key = " ".join((prog, *node.path))
        names = [*node.commands, *node.aliases]
        if names:
            tables.subs[key] = names
            tables.helps[key] = [(n, _one_line(c.help)) for n, c in node.commands.items()] + [
                (alias, _one_line(node.commands[verb].help)) for alias, verb in node.aliases.items()
            ]
        own = [o for o in node.options if not set(o.strings) <= shared]
        tables.options[key] = [(s, _one_line(o.help)) for o in own for s in o.strings]
        tables.valued[key] = [s for o in own if o.takes_value for s in o.strings]
        for option in node.options:
            if option.choices:
                for string in option.strings:
                    tables.choices[f"{key} {string}"] = option.choices
        arguments = node.arguments
        within = node.path[at:] if node.path[:at] == top.path else None
        if within == ("help",):
            arguments = list(top.commands)
        elif within == ("profiles", "use"):
            arguments = [PROFILES]
        if arguments:
            tables.arguments[key] = arguments
    return tables


def _bash(tables: _Tables, prog: str) -> str:
    fn = "_" + re.sub(r"\W", "_", prog)

    def array(name: str, values: dict[str, list[str]]) -> str:
        rows = "".join(f"    [{_sq(k)}]={_sq(' '.join(v))}\n" for k, v in values.items() if v)
        return f"declare -gA {fn}_{name}=(\n{rows})\n"

    return (
        f"# bash completion for {prog}, generated by `{prog} completion bash`.\n"
        + _comment(INSTALL.format(prog=prog))
        + "\n"
        + f"{fn}_common={_sq(' '.join(o for o, _ in tables.common))}\n"
        + f"{fn}_common_valued={_sq(' '.join(tables.common_valued))}\n"
        + array("subs", tables.subs)
        + array("opts", {k: [o for o, _ in v] for k, v in tables.options.items()})
        + array("valopts", tables.valued)
        + array("choices", tables.choices)
        + array("args", tables.arguments)
        + f"""
{fn}_words() {{
    case "$1" in
        {PROFILES}) command {tables.profiles} 2>/dev/null ;;
        *) printf '%s\\n' $1 ;;
    esac
}}

{fn}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev path={_sq(prog)} word i skip=0 choices words
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        if ((skip)); then
            skip=0
            continue
        fi
        case "$word" in
            --*=*) ;;
            -*) [[ " ${{{fn}_valopts[$path]}} ${fn}_common_valued " == *" $word "* ]] && skip=1 ;;
            *) [[ " ${{{fn}_subs[$path]}} " == *" $word "* ]] && path="$path $word" ;;
        esac
    done
    COMPREPLY=()
    if ((skip)); then
        prev="${{COMP_WORDS[COMP_CWORD-1]}}"
        choices="${{{fn}_choices[$path $prev]}}"
        [[ $prev == --profile ]] && choices={PROFILES}
        if [[ -n $choices ]]; then
            COMPREPLY=($(compgen -W "$({fn}_words "$choices")" -- "$cur"))
        fi
        return 0  # no choices: file names (complete -o default)
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${{{fn}_opts[$path]}} ${fn}_common" -- "$cur"))
        return 0
    fi
    words="${{{fn}_subs[$path]}}"
    if [[ -n ${{{fn}_args[$path]}} ]]; then
        words="$words $({fn}_words "${{{fn}_args[$path]}}")"
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
}}

complete -o default -F {fn} {prog}
"""
    )


def _zsh(tables: _Tables, prog: str) -> str:
    fn = "_" + re.sub(r"\W", "_", prog)

    def assoc(name: str, values: dict[str, str]) -> str:
        rows = "".join(f"    {_sq(k)} {_sq(v)}\n" for k, v in values.items() if v)
        return f"{fn}_{name}=(\n{rows})\n"

    helps = {f"{path} {name}": text for path, pairs in tables.helps.items() for name, text in pairs}
    return (
        f"#compdef {prog}\n"
        f"# zsh completion for {prog}, generated by `{prog} completion zsh`.\n"
        + _comment(INSTALL.format(prog=prog))
        + "\n"
        + f"typeset -g {fn}_common={_sq(' '.join(o for o, _ in tables.common))}\n"
        + f"typeset -g {fn}_common_valued={_sq(' '.join(tables.common_valued))}\n"
        + f"typeset -gA {fn}_subs {fn}_opts {fn}_valopts {fn}_choices {fn}_args {fn}_help\n"
        + assoc("subs", {k: " ".join(v) for k, v in tables.subs.items()})
        + assoc("opts", {k: " ".join(o for o, _ in v) for k, v in tables.options.items()})
        + assoc("valopts", {k: " ".join(v) for k, v in tables.valued.items()})
        + assoc("choices", {k: " ".join(v) for k, v in tables.choices.items()})
        + assoc("args", {k: " ".join(v) for k, v in tables.arguments.items()})
        + assoc("help", helps)
        + f"""
{fn}_words() {{
    case $1 in
        {PROFILES}) command {tables.profiles} 2>/dev/null ;;
        *) print -rl -- ${{=1}} ;;
    esac
}}

{fn}() {{
    local p={_sq(prog)} word i skip=0 cur=${{words[CURRENT]}} prev choices sub
    local -a values described
    for (( i = 2; i < CURRENT; i++ )); do
        word=${{words[i]}}
        if (( skip )); then
            skip=0
            continue
        fi
        case $word in
            --*=*) ;;
            -*) [[ " ${{{fn}_valopts[$p]}} ${fn}_common_valued " == *" $word "* ]] && skip=1 ;;
            *) [[ " ${{{fn}_subs[$p]}} " == *" $word "* ]] && p="$p $word" ;;
        esac
    done
    if (( skip )); then
        prev=${{words[CURRENT-1]}}
        choices=${{{fn}_choices[$p $prev]}}
        [[ $prev == --profile ]] && choices={PROFILES}
        if [[ -n $choices ]]; then
            values=( ${{(f)"$({fn}_words $choices)"}} )
            compadd -a values
        else
            _files
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        values=( ${{={fn}_opts[$p]}} ${{={fn}_common}} )
        compadd -a values
        return
    fi
    for sub in ${{={fn}_subs[$p]}}; do
        described+=( "$sub:${{{fn}_help[$p $sub]}}" )
    done
    (( ${{#described}} )) && _describe -t commands command described
    if [[ -n ${{{fn}_args[$p]}} ]]; then
        values=( ${{(f)"$({fn}_words ${{{fn}_args[$p]}})"}} )
        compadd -a values
    fi
    return 0
}}

if [[ ${{funcstack[1]}} == {fn} ]]; then
    {fn} "$@"
else
    compdef {fn} {prog}
fi
"""
    )


def _fish(tables: _Tables, prog: str) -> str:
    fn = "__" + re.sub(r"\W", "_", prog)

    def switch(name: str, rows: dict[str, list[str]], fmt: str = "%s\\n") -> str:
        cases = "".join(
            f"        case {_fq(k)}\n            printf '{fmt}' {' '.join(_fq(w) for w in v)}\n"
            for k, v in rows.items()
            if v
        )
        return f"function {fn}_{name}\n    switch $argv[1]\n{cases}    end\nend\n\n"

    def pairs(values: list[tuple[str, str]]) -> list[str]:
        return [part for word, text in values for part in (word, text)]

    return (
        f"# fish completion for {prog}, generated by `{prog} completion fish`.\n"
        + _comment(INSTALL.format(prog=prog))
        + "\n"
        + f"function {fn}_common\n    printf '%s\\t%s\\n' "
        + " ".join(_fq(w) for w in pairs(tables.common))
        + "\nend\n\n"
        + f"function {fn}_common_valued\n    printf '%s\\n' "
        + " ".join(_fq(w) for w in tables.common_valued)
        + "\nend\n\n"
        + switch("subs", tables.subs)
        + switch("described", {k: pairs(v) for k, v in tables.helps.items()}, "%s\\t%s\\n")
        + switch("opts", {k: pairs(v) for k, v in tables.options.items()}, "%s\\t%s\\n")
        + switch("valopts", tables.valued)
        + switch("choices", tables.choices)
        + switch("args", tables.arguments)
        + f"""function {fn}_words
    switch $argv[1]
        case {PROFILES}
            command {tables.profiles} 2>/dev/null
        case '*'
            printf '%s\\n' $argv
    end
end

function {fn}_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l p {_fq(prog)}
    set -l skip 0
    for word in $tokens[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case '--*=*'
            case '-*'
                if contains -- $word ({fn}_valopts $p) ({fn}_common_valued)
                    set skip 1
                end
            case '*'
                if contains -- $word ({fn}_subs $p)
                    set p "$p $word"
                end
        end
    end
    if test $skip -eq 1
        set -l prev $tokens[-1]
        set -l choices ({fn}_choices "$p $prev")
        if test "$prev" = --profile
            set choices {PROFILES}
        end
        if test (count $choices) -gt 0
            {fn}_words $choices
        else
            __fish_complete_path $cur
        end
        return
    end
    if string match -q -- '-*' $cur
        {fn}_opts $p
        {fn}_common
        return
    end
    {fn}_described $p
    set -l arguments ({fn}_args $p)
    if test (count $arguments) -gt 0
        {fn}_words $arguments
    end
end

complete -c {prog} -f -a '({fn}_complete)'
"""
    )


def completion_script(shell: str, tree: CommandNode, prog: str = "flow") -> str:
    """The completion script for ``shell`` (bash, zsh or fish) of ``tree``."""
    tables = _tables(tree, prog)
    if shell == "bash":
        return _bash(tables, prog)
    if shell == "zsh":
        return _zsh(tables, prog)
    if shell == "fish":
        return _fish(tables, prog)
    raise ValueError(f"no completion for {shell!r}; choose from {', '.join(SHELLS)}")


# the command


def register_completion(parser: argparse.ArgumentParser) -> None:
    """``flow completion SHELL``, with how to install the script in its help."""
    prog = parser.prog.rsplit(" ", 1)[0]
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = (
        "Print a script that completes commands, verbs, options and profile names\n"
        "in your shell, for the plugins installed now."
    )
    parser.epilog = INSTALL.format(prog=prog)
    parser.add_argument(
        "shell", nargs="?", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish"
    )
    parser.add_argument("--complete", choices=("profiles",), help=argparse.SUPPRESS)
    parser.set_defaults(**{HANDLER_DEST: run_completion})


def run_completion(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Print the script for the shell (or, hidden, the profile names it completes)."""
    if args.complete == "profiles":
        try:
            names = ctx.store.profile_names()
        except Exception:  # completing must never print an error into the command line
            names = []
        ctx.output.stdout.write("".join(f"{name}\n" for name in names))
        return
    if args.shell is None:
        raise UsageError(
            "name the shell: bash, zsh or fish",
            hint=f"e.g. source <({ctx.settings.prog} completion bash); "
            f"`{ctx.settings.prog} completion --help` says how to install it",
        )
    # Mounted in a host program ("mytool flow"), the script is mytool's, for its flow tree.
    program, *mounted = ctx.settings.prog.split()
    root = argparse.ArgumentParser(prog=ctx.settings.prog, add_help=True)
    ctx.app.configure(root)
    tree = command_tree(root, tuple(mounted), warn=ctx.output.warning)
    for depth in range(len(mounted), 0, -1):
        tree = CommandNode(tuple(mounted[: depth - 1]), "", commands={mounted[depth - 1]: tree})
    ctx.output.stdout.write(completion_script(args.shell, tree, program))


def host_completion_script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (bash, zsh or fish) of a host program's whole
    parser, its own commands and the ``flow`` tree it mounted with ``mount`` alike: what
    the host's own ``completion`` command prints."""
    if shell not in SHELLS:
        raise ValueError(f"no completion for {shell!r}; choose from {', '.join(SHELLS)}")
    return completion_script(shell, command_tree(parser), parser.prog)
