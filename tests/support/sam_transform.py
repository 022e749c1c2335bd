"""Run by SAM's own virtualenv (`make template` builds .venv-sam; the project's has no
samtranslator, whose pins would decide ours): transforms template.yaml as CloudFormation
would, with the parameters given as NAME=VALUE arguments, and prints the result as JSON.
Local code and layer paths become placeholder S3 locations, as `sam package` would."""

import json
import re
import sys
from pathlib import Path

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


text = re.sub(r"(CodeUri|ContentUri): \S+", r"\1: s3://placeholder/code.zip", Path(sys.argv[1]).read_text())
parameters = dict(argument.split("=", 1) for argument in sys.argv[2:])
print(json.dumps(transform(yaml_parse(text), parameters, _NoManagedPolicies())))
