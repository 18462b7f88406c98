# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON exports compared as data: a digest for equality, a response index and a readable summary of what changed.

:class:`JsonDigest` reduces a document to what equality needs (small members as they
are, each array as a count and a hash of its elements), and optionally indexes the
responses (:class:`ResponseIndex`, 16 bytes a response) for a readable diff. Files are
read with the streaming reader (``export_json_stream``).
"""

from __future__ import annotations

import bisect
import hashlib
import json
from array import array

from ansible_collections.jira.addons.plugins.module_utils.export_json_stream import iter_file_events

RESPONSES = "responses"
DIFF_LIMIT = 50


def canonical(value):
    """A value as canonical JSON text (sorted keys, no spaces): equal data, equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash64(text):
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


class ResponseKeys:
    """Names responses in the user's words: ``"DEMO-1 form 2"`` (issue key and form id).

    A response without ``issueKey`` and ``formId`` is named by its position (``"#7"``);
    a name met again gets a suffix (``"DEMO-1 form 2 (2)"``), so names are unique.
    """

    def __init__(self):
        self._position = 0
        # Names met once are kept as 64-bit hashes (a name string would cost ~100 bytes a response);
        # the few names met again are kept with their count.
        self._once = set()
        self._again = {}

    def next(self, response):
        """The name of the next response of the document."""
        self._position += 1
        if isinstance(response, dict) and response.get("issueKey") is not None and response.get("formId") is not None:
            name = "%s form %s" % (response["issueKey"], response["formId"])
        else:
            name = "#%d" % self._position
        count = self._again.get(name)
        if count is None:
            hashed = _hash64(name)
            if hashed not in self._once:
                self._once.add(hashed)
                return name
            count = 1
        self._again[name] = count + 1
        return "%s (%d)" % (name, count + 1)


def is_responses(key):
    """True for the array that holds the responses: ``responses``, or a top-level array."""
    return key is None or key == RESPONSES


class JsonDigest:
    """A document reduced to what data equality needs, built from parser events.

    Non-array members are kept as they are (they are small); each top-level array
    becomes its element count and a SHA-1 over the canonical text of its elements,
    in order. With ``index=True`` the responses are also indexed
    (:class:`ResponseIndex`), for :func:`diff_responses`.
    Two documents are equal as data when their digests are equal.
    """

    def __init__(self, index=False):
        self.members = {}
        self.arrays = {}
        self.index = ResponseIndex() if index else None
        self._hashes = {}
        self._keys = ResponseKeys()

    def add(self, event):
        """Take one parser event into account."""
        kind, key = event[0], event[1]
        if kind == "member":
            self.members[key] = event[2]
        elif kind == "array":
            self.arrays[key] = 0
            self._hashes[key] = hashlib.sha1()
        else:
            text = canonical(event[2]).encode("utf-8")
            self.arrays[key] += 1
            self._hashes[key].update(text + b"\n")
            if self.index is not None and is_responses(key):
                self.index.add(self._keys.next(event[2]), hashlib.sha1(text).digest())

    def finish(self):
        """The document is read: drop what naming its responses needed (no more events come)."""
        self._keys = None

    @property
    def count(self):
        """How many responses the document holds."""
        for key in (RESPONSES, None):
            if key in self.arrays:
                return self.arrays[key]
        return 0

    def signature(self):
        """A comparable summary: equal signatures, equal documents."""
        arrays = dict((key, (count, self._hashes[key].hexdigest())) for key, count in self.arrays.items())
        return (canonical(self.members), arrays)

    def __eq__(self, other):
        return isinstance(other, JsonDigest) and self.signature() == other.signature()

    def __ne__(self, other):
        return not self == other

    __hash__ = None


def digest_file(path, index=False):
    """The :class:`JsonDigest` of the JSON file at ``path`` (raises JsonExportError if it is not valid)."""
    digest = JsonDigest(index=index)
    for event in iter_file_events(path):
        digest.add(event)
    digest.finish()
    return digest


class ResponseIndex:
    """The responses of one document, each as a hash of its name and a hash of its content, in document order.

    Two 64-bit numbers a response, so a ``--diff`` of 100,000 responses costs a few MB,
    not a dict of names; the names of the few responses a diff shows are read again
    from the file (:func:`collect_responses`).
    """

    def __init__(self):
        self.names = array("Q")
        self.contents = array("Q")
        self._keys = None
        self._positions = None

    def __len__(self):
        return len(self.names)

    def add(self, name, content_digest):
        """Index the next response: its unique name (:class:`ResponseKeys`) and the digest of its content."""
        self.names.append(_hash64(name))
        self.contents.append(int.from_bytes(content_digest[:8], "big"))

    def find(self, name_hash):
        """The position of the response with this name hash, or None."""
        if self._keys is None:
            order = sorted(range(len(self.names)), key=self.names.__getitem__)
            self._keys = array("Q", (self.names[i] for i in order))
            self._positions = array("I", order)
        at = bisect.bisect_left(self._keys, name_hash)
        if at < len(self._keys) and self._keys[at] == name_hash:
            return self._positions[at]
        return None


def diff_responses(before, after, limit=DIFF_LIMIT):
    """Responses ``added``, ``removed`` and ``changed`` between two :class:`ResponseIndex`, in document order.

    Returns ``counts`` (how many of each) and, for at most ``limit`` of each, their
    positions: ``added`` in ``after``, ``removed`` in ``before``, ``changed`` as
    ``(position in before, position in after)``.
    """
    changes = {"added": [], "removed": [], "changed": [], "counts": {"added": 0, "removed": 0, "changed": 0}}
    counts = changes["counts"]
    for position, name in enumerate(after.names):
        was = before.find(name)
        if was is None:
            kind, item = "added", position
        elif before.contents[was] != after.contents[position]:
            kind, item = "changed", (was, position)
        else:
            continue
        counts[kind] += 1
        if len(changes[kind]) < limit:
            changes[kind].append(item)
    for position, name in enumerate(before.names):
        if after.find(name) is None:
            counts["removed"] += 1
            if len(changes["removed"]) < limit:
                changes["removed"].append(position)
    return changes


def collect_responses(path, positions):
    """The responses of the file at ``path`` at ``positions`` (document order), as ``{position: (name, response)}``."""
    wanted = set(positions)
    found = {}
    keys = ResponseKeys()
    position = 0
    for event in iter_file_events(path):
        if event[0] == "item" and is_responses(event[1]):
            name = keys.next(event[2])
            if position in wanted:
                found[position] = (name, event[2])
            position += 1
    return found


def summary_header(dest, changes):
    """One line for the diff header: ``dest (1 added, 2 changed, 0 removed)``."""
    counts = changes["counts"]
    return "%s (%d added, %d changed, %d removed)" % (dest, counts["added"], counts["changed"], counts["removed"])


def diff_summary(before, after, changes, before_values, after_values):
    """Readable ``before`` and ``after`` mappings for Ansible's diff output.

    ``before``/``after`` are the two :class:`JsonDigest` (``before`` None when
    there was no readable file), ``changes`` comes from :func:`diff_responses`,
    ``*_values`` are what :func:`collect_responses` found at its positions. Only
    what changed is shown, keyed by response name: removed and changed responses as
    they were, added and changed responses as they are, and the other top-level
    members that differ. Lists never appear at the top level.
    """
    old_side = {"total": before.count if before is not None else 0, "responses": {}}
    new_side = {"total": after.count, "responses": {}}
    old_positions = changes["removed"] + [was for was, _now in changes["changed"]]
    new_positions = [now for _was, now in changes["changed"]] + changes["added"]
    for side, values, positions in ((old_side, before_values, old_positions), (new_side, after_values, new_positions)):
        for position in positions:
            if position in values:
                name, response = values[position]
                side["responses"][name] = response
    shown = len(changes["added"]) + len(changes["removed"]) + len(changes["changed"])
    hidden = sum(changes["counts"].values()) - shown
    if hidden:
        new_side["not_shown"] = "%d more changed responses" % hidden
    if before is not None:
        document_before, document_after = _other_differences(before, after)
        if document_before or document_after:
            old_side["document"] = document_before
            new_side["document"] = document_after
    return old_side, new_side


def _other_differences(before, after):
    old, new = {}, {}
    for key in set(before.members) | set(after.members):
        if key not in after.members:
            old[key] = before.members[key]
        elif key not in before.members:
            new[key] = after.members[key]
        elif canonical(before.members[key]) != canonical(after.members[key]):
            old[key], new[key] = before.members[key], after.members[key]
    old_arrays, new_arrays = before.signature()[1], after.signature()[1]
    for key in set(old_arrays) | set(new_arrays):
        if is_responses(key) or old_arrays.get(key) == new_arrays.get(key):
            continue
        if key in old_arrays:
            old[key] = "%d items" % old_arrays[key][0]
        if key in new_arrays:
            new[key] = "%d items" % new_arrays[key][0]
    return old, new
