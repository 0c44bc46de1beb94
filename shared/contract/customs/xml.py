"""Messages and receipts as XML documents of ``schema/customs-messages-1.0.xsd``, both ways.

``dumps`` writes a model as its document (elements in field order, ``None`` left out, lists as a container
of items). ``loads`` parses with entities, DTDs and the network off, validates against the XSD, then the
model: a document that fails either is a ``MessageError`` whose text says what and where."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree
from pydantic import BaseModel, ValidationError

from shared.contract.customs.messages import NAMESPACE, Message, Receipt

SCHEMA = Path(__file__).parent / "schema" / "customs-messages-1.0.xsd"
ITEMS = {"lines": "line", "serial_numbers": "serial_number", "inventory_list_nos": "inventory_list_no"}
MAX_BYTES = 5_000_000
M = TypeVar("M", Message, Receipt)
_ROOT = {Message: "message", Receipt: "receipt"}


class MessageError(ValueError):
    """A document that is not a valid message of this version."""


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=True)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _fill(parent: etree._Element, model: BaseModel) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None:
            continue
        child = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
        if isinstance(value, BaseModel):
            _fill(child, value)
        elif isinstance(value, list):
            for item in value:
                element = etree.SubElement(child, f"{{{NAMESPACE}}}{ITEMS[name]}")
                if isinstance(item, BaseModel):
                    _fill(element, item)
                else:
                    element.text = _text(item)
        else:
            child.text = _text(value)


def dumps(model: Message | Receipt) -> bytes:
    root = etree.Element(f"{{{NAMESPACE}}}{_ROOT[type(model)]}", nsmap={None: NAMESPACE})
    _fill(root, model)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _as_data(element: etree._Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    name = etree.QName(element).localname
    if name in ITEMS:
        return [_as_data(c) for c in children]
    return {etree.QName(c).localname: _as_data(c) for c in children}


def loads(data: bytes, kind: type[M]) -> M:
    if len(data) > MAX_BYTES:
        raise MessageError(f"document is {len(data)} bytes, more than {MAX_BYTES}")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise MessageError(f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:  # entities and DTDs have no place in a message
        raise MessageError("a DOCTYPE (DTD, entities) is not allowed in a message")
    if root.tag != f"{{{NAMESPACE}}}{_ROOT[kind]}":
        raise MessageError(f"root element is {root.tag}, expected {{{NAMESPACE}}}{_ROOT[kind]}")
    checker = schema()
    try:
        valid = checker.validate(root)
    except etree.XMLSchemaValidateError as exc:
        raise MessageError(f"the document cannot be validated: {exc}") from None
    if not valid:
        error = checker.error_log.last_error
        raise MessageError(f"line {error.line}: {error.message}")
    fields = _as_data(root)
    for name in ITEMS:  # an empty container is an empty list, not ""
        _empty_lists(fields, name)
    try:
        return kind.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MessageError(f"{where}: {first['msg']}") from None


def _empty_lists(node: Any, name: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == name and value == "":
                node[key] = []
            else:
                _empty_lists(value, name)
    elif isinstance(node, list):
        for item in node:
            _empty_lists(item, name)
