"""Check form files, or print a form's JSON Schema.

    python -m forms validate [PATH ...]   # files or directories; default: $FORMS_DIR or templates
    python -m forms schema NAME|FILE [--payload]

Exit codes: 0 every form is valid; 1 a form has problems (each printed with file, field
path and fix); 2 nothing to check (no such path, no form files).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

from forms.loader import TEMPLATES_DIR, FormError, form_files, load_files, load_form, load_library
from forms.schema import payload_schema, results_schema


def _default_dir() -> Path:
    return Path(os.environ.get("FORMS_DIR") or TEMPLATES_DIR)


def validate(paths: list[str]) -> int:
    targets = paths or [str(_default_dir())]
    missing = [p for p in targets if not Path(p).exists()]
    if missing:
        print(f"no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    files = form_files(targets)
    if not files:
        print(f"no form files (*.yaml, *.yml) in {', '.join(targets)}", file=sys.stderr)
        return 2
    try:
        library = load_files(files)
    except FormError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {len(files)} file(s)", file=sys.stderr)
        return 1
    for name in library.names:
        form = library.forms[name]
        print(f"ok  {library.sources[name]}: {name} ({len(form.fields)} fields)")
    return 0


def schema(target: str, *, payload: bool) -> int:
    try:
        if Path(target).is_file():
            form = load_form(target)
        else:
            form = load_library(_default_dir()).get(target)
    except (FormError, KeyError) as exc:
        print(exc.args[0] if isinstance(exc, KeyError) else exc, file=sys.stderr)
        return 1 if isinstance(exc, FormError) else 2
    print(json.dumps(payload_schema(form) if payload else results_schema(form), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m forms", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check form files")
    check.add_argument("paths", nargs="*", help="form files or directories")
    show = commands.add_parser("schema", help="print the JSON Schema of a form's results")
    show.add_argument("form", help="a form name (in $FORMS_DIR) or a form file")
    show.add_argument("--payload", action="store_true", help="the whole call record's schema")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.paths)
    return schema(args.form, payload=args.payload)


if __name__ == "__main__":
    # .env.local (FORMS_DIR), found as the worker finds it; variables already set win.
    load_dotenv(find_dotenv(".env.local", usecwd=True))
    sys.exit(main())
