"""Notes: what a result says about how far to trust it, as data.

A :class:`Note` is the text a reader sees plus two fields for code that
decides on it: ``part`` (the analysis that wrote it: ``"maturity"``,
``"planning"``, ``"constraint"``, ``"decisions"``, ``"diagnosis"``) and
``code`` (what kind of note it is, such as ``"class_too_small"``). Code
chooses by ``part`` and ``code``, never by reading the text, so the words can
change without breaking a decision.

A note *is* its text (a ``str``): code that reads notes as sentences, prints
them or joins them keeps working.
"""

from __future__ import annotations

__all__ = ["Note"]


class Note(str):
    """One thing a result wants its reader to know, with where it comes from.

    Parameters
    ----------
    part : str
        The analysis that wrote it.
    code : str
        The kind of note, stable across releases (see each analysis's
        ``NOTE_CODES``).
    text : str
        What the reader sees.

    Examples
    --------
    >>> n = Note("planning", "no_backtest", "no backtest: it needs estimated_on dates")
    >>> n.part, n.code, n.startswith("no backtest")
    ('planning', 'no_backtest', True)
    >>> n.to_dict()["code"]
    'no_backtest'
    """

    part: str
    code: str

    def __new__(cls, part: str, code: str, text: str) -> "Note":
        note = super().__new__(cls, text)
        note.part = str(part)
        note.code = str(code)
        return note

    @property
    def text(self) -> str:
        """The note as the reader sees it (a plain ``str``)."""
        return str.__str__(self)

    def to_dict(self) -> dict:
        """``{"part", "code", "text"}``: how a note is written to JSON."""
        return {"part": self.part, "code": self.code, "text": self.text}

    def __reduce__(self):
        return (Note, (self.part, self.code, self.text))

    def __repr__(self) -> str:
        return f"Note({self.part!r}, {self.code!r}, {self.text!r})"

