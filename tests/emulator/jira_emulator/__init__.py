"""A Jira Data Center emulator with the Table Grid Editor and ProForma add-ons.

It is a real HTTP server (see ``python -m jira_emulator --help``) used by the integration tests,
the demo and the benchmarks of the ``jira.addons`` collection. Start it through
:class:`jira_emulator.process.EmulatorProcess`, the one supported way.
"""

__version__ = "1.0.0"
