"""The models: drift configs and profiles, alert configs, results, saved as versioned JSON.

Pure pydantic: no statistics and no I/O beyond a profile's own JSON file. Every public name is
re-exported from `scouter_flows`.
"""
