"""Where moto's DynamoDB spends its time under the local API, made cheap without changing
what it answers (moto 5.2.5; profiled with py-spy while `partner ingest` ran against the
local API, and with cProfile on the recorded requests replayed in-process).

- **Condition expressions** were parsed two or three times per write (the request's
  validation, the transaction's check, the table's put), about a fifth of the emulator's
  time: a parse is kept by its expression, names and values (the parsed tree is only
  read when evaluated), so each is parsed once.
- **A new item** checked moto's 400 KB limit once per attribute, over every attribute
  already set: quadratic in the attributes. It now runs moto's own check once, over the
  whole item (the same limit and the same error).
- **Every request** listed the handler class's methods with `inspect.getmembers` to find
  the action: the list is kept per class.
- **Every Query and Scan** sorted the whole table, and a Query on an index then its
  matches, comparing moto's attribute objects (each comparison converts both values
  again): over a page of a 10,000-record listing, 1.5 s of 2 s. The sorts now compare the
  converted key values themselves (the same values, so the same order).

`apply()` is idempotent; `localapi.dynamodb.prepare_emulator` calls it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from typing import Any

PARSED_CONDITIONS_KEPT = 1024


def apply() -> None:
    _parse_each_condition_once()
    _check_item_size_once()
    _list_handler_methods_once()
    _sort_by_key_values()


def _parse_each_condition_once() -> None:
    from moto.dynamodb.comparisons import ConditionExpressionParser

    if getattr(ConditionExpressionParser.parse, "kept", False):
        return
    original = ConditionExpressionParser.parse
    kept: OrderedDict[str, tuple[Any, list[str], list[str]]] = OrderedDict()
    lock = threading.Lock()

    def parse(self: Any) -> Any:
        key = json.dumps(
            [self.condition_expression, self.expression_attribute_names, self.expression_attribute_values],
            sort_keys=True,
        )
        with lock:
            hit = kept.get(key)
            if hit is not None:
                kept.move_to_end(key)
        if hit is None:
            # A failed parse raises here, each time, as before.
            op = original(self)
            with lock:
                kept[key] = (op, list(self.expr_attr_names_found), list(self.expr_attr_values_found))
                if len(kept) > PARSED_CONDITIONS_KEPT:
                    kept.popitem(last=False)
            return op
        op, names, values = hit
        self.expr_attr_names_found.extend(names)
        self.expr_attr_values_found.extend(values)
        return op

    parse.kept = True  # type: ignore[attr-defined]
    ConditionExpressionParser.parse = parse  # type: ignore[method-assign]


def _check_item_size_once() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    if getattr(Item.__init__, "checked_once", False):
        return

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        converted = [(key, DynamoType(value)) for key, value in attrs.items()]
        if converted:
            *head, (last_key, last_value) = converted
            dict.update(self.attrs, head)
            # moto's own check, which sums the whole item: once, with the last attribute.
            self.attrs[last_key] = last_value

    __init__.checked_once = True  # type: ignore[attr-defined]
    Item.__init__ = __init__  # type: ignore[method-assign]


def _list_handler_methods_once() -> None:
    from moto.core import responses

    if getattr(responses.method_names_from_class, "cache_info", None) is not None:
        return
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)


def _sort_by_key_values() -> None:
    from decimal import Decimal

    from moto.dynamodb.models.table import Table

    if getattr(Table.all_items, "by_key_values", False):
        return

    def value(attribute: Any) -> Any:
        # What moto's `cast_value` gives for a key attribute (S, N or B), without its
        # checks for the types a key cannot have.
        return Decimal(attribute.value) if attribute.type == "N" else attribute.value

    def all_items(self: Any) -> list[Any]:
        items: list[Any] = []
        for hash_set in self.items.values():
            if self.range_key_attr:
                items.extend(hash_set.values())
            else:
                items.append(hash_set)
        # moto orders by the (hash key, range key) objects, which compare their cast values.
        return sorted(
            items,
            key=lambda x: (value(x.hash_key), value(x.range_key)) if x.range_key else (value(x.hash_key),),
        )

    def sorted_items(
        self: Any, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Any]
    ) -> list[Any]:
        attributes = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        items.sort(key=lambda x: tuple(value(x.attrs[name]) for name in attributes))
        return items

    all_items.by_key_values = True  # type: ignore[attr-defined]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.sorted_items = sorted_items  # type: ignore[method-assign]
