"""The seed's resume check, as its README describes it: one HEAD request per image (its original), boto3, a
thread pool of WORKERS. usage: seed_exists.py ENV_FILE WORKERS < records.jsonl; prints how many exist."""
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from s3tool import read_env  # noqa: E402


def main():
    env = read_env(sys.argv[1])
    workers = int(sys.argv[2])
    s3 = boto3.client("s3", endpoint_url=env["SPACES_ENDPOINT"], region_name=env.get("SPACES_REGION", "us-east-1"),
                      aws_access_key_id=env["SPACES_ACCESS_KEY"], aws_secret_access_key=env["SPACES_SECRET_KEY"],
                      config=Config(s3={"addressing_style": "path"}, max_pool_connections=workers))
    keys = [json.loads(line)["key"] for line in sys.stdin if line.strip()]

    def exists(key):
        try:
            s3.head_object(Bucket=env["SPACES_BUCKET"], Key=key)
            return True
        except ClientError:
            return False

    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = sum(pool.map(exists, keys))
    print(found)


if __name__ == "__main__":
    main()
