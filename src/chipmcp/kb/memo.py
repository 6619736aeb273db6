"""One memo per knowledge base: results that depend only on the (read-only) database and their arguments,
computed once and dropped with the KnowledgeBase that owns them.

    kb.memo.get(key, compute) -> value     compute() once per key; a bounded store, oldest entries go first
    @per_knowledge_base                    a function f(kb, *args) memoised in kb.memo, keyed on its name and args
    @per_knowledge_base(copy=handout)      the same, each caller getting its own copy of the shared result

A result is shared by every later call, so what a caller may change is handed out as a copy (`handout`:
the model and every list and model inside it, not the numbers and strings, which cannot change).
Errors a function raises are remembered too (names that match nothing are asked again and again) and
raised afresh, each caller its own exception.
"""

from __future__ import annotations

import copy as _copy
import functools
import threading
import types
import typing
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar, cast, overload

from pydantic import BaseModel

from chipmcp.core.names import AliasEntry, EntityInfo, Match, NameIndex
from chipmcp.errors import NotFoundError

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# Entries of one knowledge base's memo: per-entity results number a few per entity and argument set, but
# some keys are free text (names asked), so the store is bounded.
MEMO_SIZE = 65_536


class _Raised:
    """An exception a computation raised, kept to be raised again as a copy."""

    __slots__ = ("error",)

    def __init__(self, error: Exception):
        self.error = error


_MISSING: Any = object()


class Memo:
    """A thread-safe, bounded map from key to computed value (insertion order; the oldest tenth goes when full)."""

    def __init__(self, size: int = MEMO_SIZE):
        self._size = size
        self._values: dict[Hashable, Any] = {}
        self._pinned: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], remember_errors: tuple[type[Exception], ...] = (), pin: bool = False) -> T:
        """The value for `key`, computing it on first need. Two threads may both compute a missing value;
        the first to finish is kept, so every caller sees one value. A `pin`ned value (one per knowledge
        base, costly to rebuild: the catalog index) is never dropped to make room."""
        store = self._pinned if pin else self._values
        found = store.get(key, _MISSING)  # not a KeyError caught: on a fresh question most keys miss
        if found is _MISSING:
            try:
                found = compute()
            except remember_errors as error:
                found = _Raised(error.with_traceback(None))  # its frames would keep every local alive
            with self._lock:
                if not pin and len(store) >= self._size:
                    for old in list(store)[: max(1, self._size // 10)]:
                        del store[old]
                found = store.setdefault(key, found)
        if isinstance(found, _Raised):
            raise _copy.copy(found.error)
        return found

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pinned.clear()

    def __len__(self) -> int:
        return len(self._values) + len(self._pinned)


def handout(value: T) -> T:
    """A copy a caller may change without changing the shared value: models and the lists, dicts and models
    in them are copied; strings, numbers, tuples and frozen objects are shared. Each model class is looked
    at once (`_plan`): only the fields whose type can hold a list, dict or model are copied, a list of
    numbers by a plain list copy, a list of models element by element."""
    if isinstance(value, BaseModel):
        return cast(T, _copy_model(value))
    if isinstance(value, list):
        return cast(T, [handout(item) if isinstance(item, (BaseModel, list, dict)) else item for item in value])
    if isinstance(value, dict):
        return cast(T, {key: handout(item) if isinstance(item, (BaseModel, list, dict)) else item for key, item in value.items()})
    return value


_object_setattr = object.__setattr__


def _copy_model(value: BaseModel) -> BaseModel:
    """What BaseModel.__copy__ makes (the instance's dict, fields set, extra and private state copied), with
    each changeable field copied as its plan says."""
    model = type(value)
    plan, bare = _PLANS.get(model) or _plan(model)
    fields = dict(value.__dict__)
    for name, copier in plan:
        item = fields.get(name)
        if item is not None:
            fields[name] = copier(item)
    out = model.__new__(model)
    _object_setattr(out, "__dict__", fields)
    _object_setattr(out, "__pydantic_fields_set__", set(value.__pydantic_fields_set__))
    if bare:  # no extra fields allowed, no private attributes declared: neither can hold anything
        _object_setattr(out, "__pydantic_extra__", None)
        _object_setattr(out, "__pydantic_private__", None)
        return out
    extra, private = value.__pydantic_extra__, getattr(value, "__pydantic_private__", None)
    _object_setattr(out, "__pydantic_extra__", None if extra is None else handout(dict(extra)))
    _object_setattr(out, "__pydantic_private__", None if private is None else _copy.deepcopy(private))
    return out


_Plan = tuple[tuple[tuple[str, Callable[[Any], Any]], ...], bool]
_PLANS: dict[type[BaseModel], _Plan] = {}


def _plan(model: type[BaseModel]) -> _Plan:
    """The fields of `model` whose declared type may hold something a caller can change in place, each with
    how to copy it (a figure has two of its thirty); and whether the model is bare: it keeps no extra fields
    and declares no private attribute (every answer model)."""
    fields = tuple((name, copier) for name, info in model.model_fields.items() if (copier := _copier(info.annotation)) is not None)
    bare = model.model_config.get("extra") != "allow" and not model.__private_attributes__
    found = _PLANS[model] = (fields, bare)
    return found


def _copier(annotation: Any) -> Callable[[Any], Any] | None:
    """How to copy a value of `annotation`: None when it cannot be changed in place; `list`/`dict` (a shallow
    copy) for a list or dict of what cannot; `handout` otherwise."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):  # a value that is there is one of the union's other members
        present = [argument for argument in arguments if argument is not type(None)]
        if len(present) == 1:
            return _copier(present[0])
    if origin is list and arguments and not _changeable(arguments[0]):
        return list
    if origin is list and arguments and _is_model(arguments[0]):
        return _copy_models
    if origin is dict and len(arguments) == 2 and not _changeable(arguments[1]):
        return dict
    return handout if _changeable(annotation) else None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _copy_models(models: list[BaseModel]) -> list[BaseModel]:
    return [_copy_model(model) for model in models]


def _changeable(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is not None:
        return origin in (list, dict, set) or any(_changeable(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and (issubclass(annotation, (BaseModel, list, dict, set)))


@overload
def per_knowledge_base(function: F, *, copy: Callable[[Any], Any] | None = None, errors: tuple[type[Exception], ...] = ()) -> F: ...
@overload
def per_knowledge_base(
    function: None = None, *, copy: Callable[[Any], Any] | None = None, errors: tuple[type[Exception], ...] = ()
) -> Callable[[F], F]: ...
def per_knowledge_base(
    function: F | None = None, *, copy: Callable[[Any], Any] | None = None, errors: tuple[type[Exception], ...] = ()
) -> F | Callable[[F], F]:
    """Memoise `function(kb, *args, **kwargs)` in `kb.memo` (arguments must be hashable). `copy` is applied
    to what each caller gets; `errors` are exception types remembered and raised again."""

    def wrap(fn: F) -> F:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def memoised(kb: Any, *args: Any, **kwargs: Any) -> Any:
            key = (name, args, tuple(sorted(kwargs.items()))) if kwargs else (name, args)
            value = kb.memo.get(key, lambda: fn(kb, *args, **kwargs), errors)
            return copy(value) if copy is not None else value

        wrapped: Any = memoised  # a function object takes any attribute; callers see `fn`'s own signature
        wrapped.uncached = fn
        return wrapped

    return wrap(function) if function is not None else wrap


class MemoNames(NameIndex):
    """The names index of one knowledge base, each (query, kinds, what) resolved once: a match is frozen and
    shared, a miss (the fuzzy search's slowest case) is remembered and raised afresh."""

    def __init__(self, entries: Iterable[AliasEntry], entities: Iterable[EntityInfo], memo: Memo):
        super().__init__(entries, entities)
        self._memo = memo

    def resolve(self, query: str, kinds: frozenset[str], what: str = "entity", suggest: bool = True) -> Match:
        return self._memo.get(
            ("names.resolve", query, kinds, what, suggest),
            lambda: NameIndex.resolve(self, query, kinds, what, suggest),
            (NotFoundError,),
        )
