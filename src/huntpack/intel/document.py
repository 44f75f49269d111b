"""YAML documents that remember where each value was written, for located pack errors.

``parse_yaml_document`` keeps a map from a value's path (``("techniques", 3, "id")``) to its line
so that a pydantic error location can be turned into ``pack.yaml:42``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from huntpack.errors import PackError

PathKey = tuple[str | int, ...]
# libyaml's loader when PyYAML was built with it (ten times faster), else the pure-Python one
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed YAML file: its data and the line (1-based) of every key and item."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """Line of the deepest part of ``loc`` that exists in the file."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def where(self, loc: Sequence[str | int] = ()) -> str:
        line = self.line_of(loc)
        return f"{self.path}:{line}" if line else str(self.path)


def read_yaml_document(path: Path) -> YamlDocument:
    """Read and parse one YAML file; raise PackError with the line on bad syntax."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"cannot read file: {error}", location=str(path)) from error
    return parse_yaml_document(text, path)


def parse_yaml_document(text: str, path: Path) -> YamlDocument:
    """Parse YAML text (one document) into data plus a line map."""
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        raise PackError(
            f"invalid YAML: {_yaml_problem(error)}", location=_yaml_where(path, error)
        ) from error
    finally:
        loader.dispose()
    lines: dict[PathKey, int] = {}
    if node is not None:
        _index_node(node, (), lines, path)
    return YamlDocument(path=path, data=data, lines=lines)


def validate_document(model: type[ModelT], document: YamlDocument) -> ModelT:
    """Validate a document against a pydantic model; errors name the file, line and field."""
    if not isinstance(document.data, dict):
        raise PackError("expected a mapping at the top of the file", location=document.where())
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        raise located_error(error, document) from error


def located_error(error: ValidationError, document: YamlDocument) -> PackError:
    """Turn a pydantic ValidationError into one PackError listing every problem with its line."""
    problems = [_describe(item["loc"], item["msg"], document) for item in error.errors()]
    first = error.errors()[0]["loc"] if error.errors() else ()
    message = f"{len(problems)} problem(s) in {document.path.name}:\n  " + "\n  ".join(problems)
    return PackError(message, location=document.where(first))


def field_path(loc: Iterable[str | int]) -> str:
    """``("techniques", 3, "id")`` -> ``techniques[3].id``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(loc: Sequence[str | int], message: str, document: YamlDocument) -> str:
    clean = [part for part in loc if not _is_pydantic_tag(part)]
    line = document.line_of(clean)
    where = f"line {line}" if line else "file"
    return f"{where}: {field_path(clean) or '(top)'}: {message}"


def _is_pydantic_tag(part: str | int) -> bool:
    # discriminated unions and function validators add non-field parts such as "function-after[..]"
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _index_node(node: yaml.Node, key: PathKey, lines: dict[PathKey, int], path: Path) -> None:
    lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            if name in seen:
                line = key_node.start_mark.line + 1
                raise PackError(f"duplicate key {name!r}", location=f"{path}:{line}")
            seen.add(name)
            lines[(*key, name)] = key_node.start_mark.line + 1
            _index_node(value_node, (*key, name), lines, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_node(item, (*key, index), lines, path)


def _yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    return str(problem) if problem else str(error).splitlines()[0]


def _yaml_where(path: Path, error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    return f"{path}:{mark.line + 1}" if mark is not None else str(path)
