"""Where the keyboard focus goes: to the page's heading after moving to a page, to the result after a submit.

Without this, focus stays on the menu link after moving to a page, and is dropped on the page's body
after a submit (the button is drawn anew), so a keyboard or screen-reader user starts over from the
top. Streamlit 1.67 has no focus API, so a small fixed script does it: `st.html` with
`unsafe_allow_javascript` runs it in the app's own page (not in an iframe), once per new body, which
is why every request carries a new number. The script is constant text; the only thing put into it is
a key this module makes from that number, never anything a person typed.

`ui.viewer.require_viewer` asks for the heading when the page changed since the last run (never on a
rerun of the same page, where focus stays on the widget in use), and `ui.notices` for the
confirmation or refusal it shows.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

COUNT_KEY = "focus_count"  # how many focus moves this session asked for: each script's body differs, so it runs
PAGE_KEY = "focus_page"  # the page the last run drew, to tell a move to another page from a rerun
HEADING = '[data-testid="stMain"] h1'
WAIT_MS = 10_000  # the page's heading is drawn after the guard's script; give up if it never comes

# Finds the first match that is not a leftover of the previous run (Streamlit marks those data-stale),
# makes it focusable without putting it in the Tab order, and focuses it; unless the person has put
# focus somewhere else in the meantime.
_SCRIPT = """<script>(() => {
  const request = %d, selector = %s, started = Date.now(), before = document.activeElement;
  const attempt = () => {
    if (document.activeElement !== before && document.activeElement !== document.body) return;
    const target = [...document.querySelectorAll(selector)].find((el) => !el.closest('[data-stale="true"]'));
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    } else if (Date.now() - started < %d) {
      setTimeout(attempt, 50);
    }
  };
  attempt();
})();</script>"""


def _next_number() -> int:
    number = st.session_state.get(COUNT_KEY, 0) + 1
    st.session_state[COUNT_KEY] = number
    return number


# The element holding the script takes no room: without this, its empty box adds a gap of 1rem.
_HIDDEN = (
    '<style>.stElementContainer:has(> .stHtml > .st-focus-mover) { display: none; }</style><span class="st-focus-mover"></span>'
)


def _move_focus(selector: str, number: int) -> None:
    # The number makes the body new, so Streamlit runs the script again on every request. It is in the
    # script itself: Streamlit sanitises the HTML (DOMPurify) and compares what is left, and a comment
    # would be taken out, leaving the same body as the last page's, whose script then does not run.
    script = _SCRIPT % (number, json.dumps(selector), WAIT_MS)
    st.html(_HIDDEN + script, width="content", unsafe_allow_javascript=True)


def current_page() -> str | None:
    """The page this run draws (Streamlit's hash of it), or None outside a Streamlit run."""
    context = get_script_run_ctx()
    return context.pages_manager.current_page_script_hash if context is not None else None


def focus_heading_if_moved(*, move: bool = True) -> None:
    """After moving to another page (or signing in), move focus to the page's heading once it is drawn.

    `move=False` only notes the page, for a run whose focus goes elsewhere (a confirmation).
    """
    page = current_page()
    if page is None or st.session_state.get(PAGE_KEY) == page:
        return
    st.session_state[PAGE_KEY] = page
    if move:
        _move_focus(HEADING, _next_number())


@contextmanager
def focused() -> Iterator[None]:
    """Draw the block's content, then move focus to it: for a result a person should hear first."""
    number = _next_number()
    key = f"focus-{number}"
    with st.container(key=key):
        yield
    _move_focus(f".st-key-{key}", number)
