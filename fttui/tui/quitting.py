"""Workers that outlive the panes: when the app quits, it removes the panes first and
cancels the screen's workers after. A worker that resumes in between (an answer that
arrived just then) finds the pane it would update gone; nothing it would show can be
seen any more, so that ends it quietly instead of crashing the app on its way out.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from textual.css.query import NoMatches
from textual.dom import DOMNode

P = ParamSpec("P")
N = TypeVar("N", bound=DOMNode)


async def unless_quitting(node: DOMNode, work: Awaitable[None]) -> None:
    """Run `work`; a missing pane ends it quietly only while the app is quitting."""
    try:
        await work
    except NoMatches:
        if node.app.is_running:
            raise  # a real bug: the pane should be there


def quiet_when_quitting(
    method: Callable[Concatenate[N, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[N, P], Coroutine[Any, Any, None]]:
    """`unless_quitting` for a node's async method (put it under `@work`)."""

    @functools.wraps(method)
    async def run(node: N, /, *args: P.args, **kwargs: P.kwargs) -> None:
        await unless_quitting(node, method(node, *args, **kwargs))

    return run
