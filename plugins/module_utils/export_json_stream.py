# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A streaming reader of JSON exports: the top-level members, and the elements of top-level arrays, one at a time.

An export can hold 100,000 responses, so no whole document is ever held in memory:
:class:`JsonStreamParser` is fed text and hands out events as values complete.
"""

from __future__ import annotations

import codecs
import json
import re

CHUNK_SIZE = 1024 * 1024
# A single value (one response, one member) larger than this is taken as a broken document.
MAX_PENDING = 64 * 1024 * 1024

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_SCAN = _DECODER.scan_once  # the C scanner: one value at a position, no wrapper
_NEED_MORE = object()


class JsonExportError(ValueError):
    """The document is not valid JSON, or not an object or array at the top level."""


class JsonStreamParser:
    """An incremental parser for one JSON document whose top level is an object or an array.

    ``feed(text)`` and ``close()`` return the events found so far, in order:

    - ``("member", key, value)``: a top-level member whose value is not an array;
    - ``("array", key)``: a top-level array starts (``key`` is None for a top-level array);
    - ``("item", key, value)``: one element of that array.

    Each value is decoded by the standard library's C scanner, so memory holds one
    element at a time, whatever the size of the document.
    """

    def __init__(self):
        self._buf = ""
        self._pos = 0
        self._offset = 0  # characters dropped from the front of the buffer
        self._state = "start"
        self._key = None
        self._root_array = False
        self._retry_at = 0

    def feed(self, text):
        """Add text; return the events it completes."""
        consumed = self._pos
        if consumed:
            self._offset += consumed
            self._buf = self._buf[consumed:] + text
            self._pos = 0
        else:
            self._buf += text
        if len(self._buf) < self._retry_at:
            return []  # still waiting for the rest of a large value
        return self._run(final=False)

    def close(self):
        """End of input: return the last events, or raise JsonExportError if the document is incomplete."""
        events = self._run(final=True)
        if self._state != "end":
            if self._state == "start":
                raise JsonExportError("the document is empty")
            raise JsonExportError("the document ends early, after %d characters" % (self._offset + len(self._buf)))
        return events

    def _fail(self, pos, what):
        raise JsonExportError("not valid JSON at character %d: %s" % (self._offset + pos, what))

    def _decode(self, buf, pos, final):
        try:
            value, end = _SCAN(buf, pos)
        except StopIteration:
            value, end, problem = _NEED_MORE, pos, "expected a value"
        except ValueError as err:
            value, end, problem = _NEED_MORE, pos, getattr(err, "msg", str(err))
        else:
            if end < len(buf) or final:
                return value, end
            return _NEED_MORE, pos  # a number or literal may go on in the next chunk
        if final:
            self._fail(pos, problem)
        return value, end

    def _items(self, buf, pos, final, events):
        """Read array elements from ``pos`` (at an element) in a tight loop; return the new position."""
        key = self._key
        size = len(buf)
        while True:
            value, end = self._decode(buf, pos, final)
            if value is _NEED_MORE:
                self._state = "item"
                return pos, True
            events.append(("item", key, value))
            pos = _WS.match(buf, end).end()
            if pos >= size:
                self._state = "item_comma"
                return pos, False
            char = buf[pos]
            if char == "]":
                self._state = "end" if self._root_array else "comma_or_end"
                return pos + 1, False
            if char != ",":
                self._fail(pos, "expected ',' or ']', found %r" % char)
            pos = _WS.match(buf, pos + 1).end()
            if pos >= size:
                self._state = "item"
                return pos, False

    def _run(self, final):
        events = []
        buf = self._buf
        pos = self._pos
        while True:
            pos = _WS.match(buf, pos).end()
            if pos >= len(buf):
                break
            char = buf[pos]
            state = self._state
            if state == "start":
                if char == "{":
                    self._state = "key_or_end"
                elif char == "[":
                    self._root_array = True
                    self._key = None
                    events.append(("array", None))
                    self._state = "item_or_end"
                else:
                    self._fail(pos, "an export is a JSON object or array, this starts with %r" % char)
                pos += 1
            elif state in ("key_or_end", "key"):
                if char == "}" and state == "key_or_end":
                    self._state = "end"
                    pos += 1
                elif char == '"':
                    key, end = self._decode(buf, pos, final)
                    if key is _NEED_MORE:
                        break
                    self._key, pos, self._state = key, end, "colon"
                else:
                    self._fail(pos, "expected a member name, found %r" % char)
            elif state == "colon":
                if char != ":":
                    self._fail(pos, "expected ':', found %r" % char)
                self._state = "value"
                pos += 1
            elif state == "value":
                if char == "[":
                    events.append(("array", self._key))
                    self._state = "item_or_end"
                    pos += 1
                else:
                    value, end = self._decode(buf, pos, final)
                    if value is _NEED_MORE:
                        break
                    events.append(("member", self._key, value))
                    pos, self._state = end, "comma_or_end"
            elif state in ("item_or_end", "item"):
                if char == "]" and state == "item_or_end":
                    self._state = "end" if self._root_array else "comma_or_end"
                    pos += 1
                else:
                    pos, need_more = self._items(buf, pos, final, events)
                    if need_more:
                        break
            elif state == "item_comma":
                if char == ",":
                    self._state = "item"
                elif char == "]":
                    self._state = "end" if self._root_array else "comma_or_end"
                else:
                    self._fail(pos, "expected ',' or ']', found %r" % char)
                pos += 1
            elif state == "comma_or_end":
                if char == ",":
                    self._state = "key"
                elif char == "}":
                    self._state = "end"
                else:
                    self._fail(pos, "expected ',' or '}', found %r" % char)
                pos += 1
            else:
                self._fail(pos, "extra data after the document")
        self._pos = pos
        pending = len(buf) - pos
        if pending > MAX_PENDING:
            self._fail(pos, "a single value is larger than %d MB, or the document is broken" % (MAX_PENDING >> 20))
        # Do not scan an unfinished value again until the buffer has doubled: linear time overall.
        self._retry_at = 2 * pending if pending > CHUNK_SIZE else 0
        return events


def iter_file_events(path, chunk_size=CHUNK_SIZE):
    """Parse the JSON file at ``path`` and yield its events (see :class:`JsonStreamParser`)."""
    parser = JsonStreamParser()
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open(path, "rb") as source:
        while True:
            chunk = source.read(chunk_size)
            if not chunk:
                break
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as err:
                raise JsonExportError("the document is not UTF-8: %s" % err) from None
            yield from parser.feed(text)
    yield from parser.close()
