"""Go's standard library where node_exporter's output depends on its exact behaviour.

node_exporter parses with Go's strconv, strings and bufio, matches paths with
path/filepath, reports syscall errors with Go's errno texts, decodes JSON with
encoding/json and prints samples with strconv.FormatFloat. Python's
counterparts differ on odd input (int() takes signs, underscores and
non-ASCII digits; fnmatch is not filepath.Match; repr() switches to exponents
elsewhere), so the code that must agree with node_exporter uses these. One
module per Go package; nothing here knows /proc or /sys.
"""
