# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Attributes shared by jira.addons modules."""

    DOCUMENTATION = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/jira.addons.jira) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - jira.addons.jira
"""

    # Modules that change data.
    ACTIONABLE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return exactly the changes a real run would make, sending no write request.
    support: full
  diff_mode:
    description: Returns details on what has changed (or would change in check mode) as C(before) and C(after).
    support: full
"""

    # Read-only *_info modules.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: This module only reads data, so it runs the same way in check mode.
    support: full
  diff_mode:
    description: This module changes nothing, so there is no diff.
    support: none
"""
