# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection options shared by every jira.addons module."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Jira Data Center instance, with its context path if it has one,
        for example V(https://jira.example.com) or V(https://example.com/jira).
      - It must start with V(https://) or V(http://) and name a host; anything else, or
        credentials written into it (V(https://user:password@host)), fails before any request.
      - If not set, the value of the E(JIRA_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - User name for HTTP basic authentication, together with O(password).
      - If not set, the value of the E(JIRA_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password for HTTP basic authentication.
      - If not set, the value of the E(JIRA_PASSWORD) environment variable is used.
      - Mutually exclusive with O(token). Options given in the task win over the environment, so
        a O(password) option ignores E(JIRA_TOKEN), and the other way round.
    type: str
  token:
    description:
      - "Personal access token, sent as C(Authorization: Bearer <token>)."
      - If not set, the value of the E(JIRA_TOKEN) environment variable is used.
      - Mutually exclusive with O(password).
    type: str
  validate_certs:
    description:
      - Whether to check the server's TLS certificate. Only set this to V(false) for test
        instances with self-signed certificates; prefer O(ca_path).
      - If not set, the value of the E(JIRA_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a CA bundle (PEM) to check the server's certificate against.
      - If not set, the value of the E(JIRA_CA_PATH) environment variable is used.
    type: path
  client_cert:
    description:
      - Path of a PEM client certificate for mutual TLS. It may hold the private key too;
        otherwise set O(client_key).
    type: path
  client_key:
    description:
      - Path of the private key of O(client_cert).
    type: path
  timeout:
    description:
      - Seconds to wait for the server to connect and to answer, per request.
    type: float
    default: 30
  retries:
    description:
      - How many times to retry a request that failed with HTTP 429, 502, 503 or 504 or
        a connection error, with exponential backoff and jitter. A C(Retry-After) header
        from the server is honoured.
      - A request that changes data and may already have reached the server is never
        sent again blindly; the module re-reads the current state instead.
      - All the waits between the tries of one request are bounded by O(max_retry_wait).
    type: int
    default: 3
  max_retry_wait:
    description:
      - The most seconds one request may spend waiting between its retries, all of its
        O(retries) together (the backoff, and the waits the server asks for with C(Retry-After)).
      - A C(Retry-After) longer than what is left of this bound is not waited for; the task
        fails at once with the server's answer and the wait it asked for.
      - V(0) means no wait at all, so a retry is only made when the server asks for none.
    type: float
    default: 60
  concurrency:
    description:
      - The most requests in flight at once. Once the first page of a read gives the total, the other pages
        are read in parallel, and O(jira.addons.tge_grid_rows#module:grids) works on several grids at once.
      - Writes to one grid or one issue stay in order, one after the other.
      - A C(Retry-After) from the server pauses every request of the task, not only the one that got it.
      - V(1) sends one request at a time.
      - If not set, the value of the E(JIRA_CONCURRENCY) environment variable is used.
    type: int
    default: 4
notes:
  - Credentials are sent with every request (pre-emptively); Jira does not always ask for them.
  - Passwords and tokens never appear in results, warnings or error messages.
requirements:
  - requests >= 2.25
"""
