"""``linkgraph shell``: a prompt that keeps one store open (read-only) for a planner who asks many questions.

Each ``linkgraph query`` starts Python and opens the store again; the shell
does both once (:class:`linkgraph.pipeline.Session`) and then answers each line:

- ``NAME key=value …``: a named query, parameters as ``linkgraph query`` takes
  them (quote a value with spaces: ``org="佳县 县委办公室"``);
- ``cypher TEXT`` (or a line that starts with a Cypher clause, ``MATCH …``):
  an ad hoc query through the store's guarded read-only path, as ``linkgraph
  cypher``; its parameters are set with ``param NAME=VALUE`` (typed as
  ``--param``: ``NAME:int=2022``) and shown with ``params``;
- ``list``, ``help``, ``format table|csv|json``, ``exit`` (or Ctrl-D).

An error is said in one line and the prompt goes on. Tables print as the CLI
prints them. With a terminal, lines are edited and recalled with readline and
kept in ``~/.linkgraph_history`` (``$LINKGRAPH_HISTORY``).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

from queries.catalog import CYPHER_CLAUSES, EXAMPLE_CYPHER

PROMPT = "linkgraph> "
FORMATS = ("table", "csv", "json")
HISTORY_LINES = 1000
NAMED_EXAMPLE = "ego_network"
"""The saved query the help shows called, with examples from the store open (not Jia County's names)."""
HELP = """命令 commands:
  NAME key=value …        运行保存的查询 / run a named query (list shows them), e.g. {named}
  cypher TEXT             只读 Cypher 查询 / an ad hoc read-only Cypher query (a line starting with a clause, MATCH,
                          RETURN, WITH, UNWIND, CALL …, is one too), e.g. {example};
                          the shell never writes (linkgraph cypher --write does)
  param NAME=VALUE        设置 Cypher 参数 / set a parameter of ad hoc queries ($NAME); NAME:int=, :float=, :json=
  params                  列出参数 / show the parameters set
  list                    列出保存的查询 / list the named queries and their parameters
  format table|csv|json   输出格式 / how answers print (now: {format})
  help                    本帮助 / this help
  exit                    退出（或 Ctrl-D）/ leave (or Ctrl-D)"""


class Shell:
    """The commands of one shell session over ``session`` (a :class:`linkgraph.pipeline.Session`), printing
    answers to ``out`` and messages to ``err``."""

    def __init__(self, session: Any, out: TextIO = sys.stdout, err: TextIO = sys.stderr):
        self.session = session
        self.out, self.err = out, err
        self.format = "table"
        self.params: dict[str, Any] = {}
        self.commands: dict[str, Callable[[str], None]] = {
            "help": self._help, "帮助": self._help, "?": self._help, "list": self._list, "列表": self._list,
            "cypher": self._cypher, "param": self._param, "params": self._show_params, "format": self._format,
        }

    def handle(self, line: str) -> bool:
        """Answer one line; False when it asks to leave. Errors are printed in one line, never raised."""
        from linkgraph.answers import error_line

        text = line.strip()
        if not text or text.startswith("#"):
            return True
        word, _, rest = text.partition(" ")
        if word.lower() in ("exit", "quit", "退出"):
            return False
        try:
            self._dispatch(word, rest.strip(), text)
        except KeyboardInterrupt:
            print("已中断 interrupted", file=self.err)
        except Exception as err:  # noqa: BLE001 - one line for any error, and the prompt goes on
            if os.environ.get("LINKGRAPH_DEBUG"):
                raise
            print(error_line(err), file=self.err)
        return True

    def _dispatch(self, word: str, rest: str, text: str) -> None:
        command = self.commands.get(word.lower()) or self.commands.get(word)
        if command is not None:
            command(rest)
        elif word.upper() in CYPHER_CLAUSES:
            self._cypher(text)
        else:
            self._named(text)

    def _named(self, text: str) -> None:
        from linkgraph.answers import parse_params, print_rows

        try:
            name, *pairs = shlex.split(text)
        except ValueError as err:  # an unclosed quote
            raise ShellInputError(f"无法解析此行 / cannot read the line: {err} (提示 hint: 请补全引号 / close the quote)") from None
        print_rows(name, self.session.query(name, parse_params(pairs, name)), self.format, self.out)

    def _cypher(self, text: str) -> None:
        from linkgraph.answers import print_answer

        if not text:
            raise ShellInputError(f"请在 cypher 后写查询 / give the query after cypher, e.g. cypher {EXAMPLE_CYPHER}")
        answer = self.session.cypher(text, self.params)
        print_answer(answer, self.format, self.out)
        if answer.truncated:
            print(f"只显示前 {len(answer.rows)} 行 only the first {len(answer.rows)} rows are shown", file=self.err)

    def _param(self, text: str) -> None:
        from linkgraph.answers import typed_params

        if not text:
            raise ShellInputError("参数格式应为 param 名称=值 / give param NAME=VALUE, e.g. param year:int=2022")
        self.params.update(typed_params([text]))

    def _show_params(self, _: str) -> None:
        if not self.params:
            print("(无参数 no parameters; param NAME=VALUE sets one)", file=self.out)
        for name, value in self.params.items():
            print(f"${name} = {value!r}", file=self.out)

    def _format(self, text: str) -> None:
        if text not in FORMATS:
            raise ShellInputError(f"格式应为 {' / '.join(FORMATS)} / the format is one of {', '.join(FORMATS)}, "
                                  f"not {text!r}")
        self.format = text

    def _list(self, _: str) -> None:
        from linkgraph.answers import list_queries

        list_queries(self.out, program="", examples=self.session.examples())

    def _help(self, _: str) -> None:
        from linkgraph.answers import example_value
        from queries.catalog import get_query

        query = get_query(NAMED_EXAMPLE)
        fitted = self.session.examples().get(query.name, {})
        named = " ".join([query.name, *(f"{p.name}={example_value(p, fitted.get(p.name))}" for p in query.params)])
        print(HELP.format(format=self.format, example=EXAMPLE_CYPHER, named=named), file=self.out)


class ShellInputError(ValueError):
    """A line the shell cannot read (said in one line; the prompt goes on)."""


def _lines(interactive: bool) -> Iterator[str]:
    """The lines typed (with the prompt on a terminal) until Ctrl-D; Ctrl-C drops the line being typed."""
    while True:
        try:
            yield input(PROMPT) if interactive else _read_line()
        except EOFError:
            if interactive:
                print()
            return
        except KeyboardInterrupt:
            print()


def _read_line() -> str:
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


def _history() -> Callable[[], None]:
    """Start readline's history and completion (where readline exists); what saves the history at the end."""
    try:
        import readline
    except ImportError:  # (Windows without pyreadline): lines are still read, without history
        return lambda: None
    from queries.catalog import default_catalog

    path = Path(os.environ.get("LINKGRAPH_HISTORY") or Path.home() / ".linkgraph_history")
    if path.is_file():
        readline.read_history_file(path)
    readline.set_history_length(HISTORY_LINES)
    words = sorted({*default_catalog(), "cypher", "param", "params", "list", "format", "help", "exit"})

    def complete(text: str, state: int) -> str | None:
        found = [w for w in words if w.startswith(text)]
        return found[state] if state < len(found) else None

    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")

    def save() -> None:
        try:
            readline.write_history_file(path)
        except OSError as err:
            print(f"说明 note: 历史未保存 the history was not saved ({err.strerror}: {path})", file=sys.stderr)

    return save


def run_shell(session: Any, *, interactive: bool | None = None) -> int:
    """Read lines from stdin and answer each until ``exit`` or Ctrl-D; 0 when left that way."""
    from stores.masking import redact

    interactive = sys.stdin.isatty() if interactive is None else interactive
    save = _history() if interactive else (lambda: None)
    print(f"已打开 opened {redact(session.describe())}（只读 read-only）；help 查看命令 for the commands, exit 或 "
          "Ctrl-D 退出 to leave", file=sys.stderr)
    shell = Shell(session)
    try:
        for line in _lines(interactive):
            if not shell.handle(line):
                break
            sys.stdout.flush()
    finally:
        save()
    return 0
