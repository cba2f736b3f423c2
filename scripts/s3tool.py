#!/usr/bin/env python3
"""An independent S3 client (boto3) for the tests and the demo: what the toolkit wrote, read back by another.

usage: s3tool.py --env FILE ping
       s3tool.py --env FILE mkbucket NAME
       s3tool.py --env FILE objects BUCKET [PREFIX]   one JSON line per object: key, size, etag,
                                                    content_type, cache_control, md5 (of the downloaded bytes),
                                                    whole_jpeg (starts with SOI and ends with EOI)
       s3tool.py --env FILE delete BUCKET KEY        removes one object
       s3tool.py --env FILE acl BUCKET KEY           the object's grants as JSON: [[grantee, permission], ...]
       s3tool.py --env FILE head BUCKET KEY          head_object as JSON: metadata (user metadata, keys as
                                                    stored), content_disposition, content_type, cache_control, etag
       s3tool.py --env FILE put BUCKET FILE [KEY...]  the file's bytes under each KEY (or each line of stdin),
                                                    public-read, as another tool would have stored them
       s3tool.py --env FILE uploads BUCKET [PREFIX]  one JSON line per incomplete multipart upload (every page of
                                                    ListMultipartUploads): key, upload_id, initiated, parts
"""
import argparse
import hashlib
import json
import sys

import boto3
from botocore.config import Config


def read_env(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip().strip('"')
    return values


def client(env):
    return boto3.client(
        "s3",
        endpoint_url=env["SPACES_ENDPOINT"],
        region_name=env.get("SPACES_REGION", "us-east-1"),
        aws_access_key_id=env["SPACES_ACCESS_KEY"],
        aws_secret_access_key=env["SPACES_SECRET_KEY"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", required=True)
    parser.add_argument("command", choices=["ping", "mkbucket", "objects", "acl", "delete", "head", "put", "uploads"])
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    s3 = client(read_env(options.env))
    if options.command == "ping":
        s3.list_buckets()
    elif options.command == "mkbucket":
        s3.create_bucket(Bucket=options.args[0])
    elif options.command == "objects":
        bucket = options.args[0]
        prefix = options.args[1] if len(options.args) > 1 else ""
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                got = s3.get_object(Bucket=bucket, Key=item["Key"])
                body = got["Body"].read()
                print(json.dumps({
                    "key": item["Key"],
                    "size": item["Size"],
                    "etag": item["ETag"].strip('"'),
                    "content_type": got.get("ContentType"),
                    "cache_control": got.get("CacheControl"),
                    "md5": hashlib.md5(body).hexdigest(),
                    "whole_jpeg": body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9",
                }, ensure_ascii=False))
    elif options.command == "delete":
        s3.delete_object(Bucket=options.args[0], Key=options.args[1])
    elif options.command == "head":
        head = s3.head_object(Bucket=options.args[0], Key=options.args[1])
        print(json.dumps({
            "metadata": head.get("Metadata", {}),
            "content_disposition": head.get("ContentDisposition"),
            "content_type": head.get("ContentType"),
            "cache_control": head.get("CacheControl"),
            "etag": head["ETag"].strip('"'),
        }, ensure_ascii=False))
    elif options.command == "put":
        # put BUCKET FILE KEY...: the file's bytes under each key, as another tool would have stored them.
        bucket, path = options.args[0], options.args[1]
        body = open(path, "rb").read()
        for key in options.args[2:] or sys.stdin.read().splitlines():
            s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="image/jpeg", ACL="public-read")
    elif options.command == "uploads":
        bucket = options.args[0]
        prefix = options.args[1] if len(options.args) > 1 else ""
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=prefix):
            for upload in page.get("Uploads", []):
                parts = s3.list_parts(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]).get("Parts", [])
                print(json.dumps({
                    "key": upload["Key"],
                    "upload_id": upload["UploadId"],
                    "initiated": upload["Initiated"].isoformat(),
                    "parts": len(parts),
                }, ensure_ascii=False))
    elif options.command == "acl":
        grants = s3.get_object_acl(Bucket=options.args[0], Key=options.args[1])["Grants"]
        print(json.dumps([[g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"]] for g in grants]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
