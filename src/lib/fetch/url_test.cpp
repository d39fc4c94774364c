#include <catch2/catch.hpp>

#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "test_support.hpp"

using yumda::testing::error_of;

using namespace yumda;

TEST_CASE("join_url puts exactly one slash between base and location", "[fetch][url]") {
  CHECK(join_url("http://h/repo", "repodata/repomd.xml") == "http://h/repo/repodata/repomd.xml");
  CHECK(join_url("http://h/repo/", "repodata/repomd.xml") == "http://h/repo/repodata/repomd.xml");
  CHECK(join_url("http://h/repo/", "/Packages/a.rpm") == "http://h/repo/Packages/a.rpm");
  CHECK(join_url("file:///srv/repo", "./Packages/a.rpm") == "file:///srv/repo/Packages/a.rpm");
  CHECK(join_url("s3://bucket/prefix", "x.rpm") == "s3://bucket/prefix/x.rpm");
  // An absolute location (xml:base style) wins over the base.
  CHECK(join_url("http://h/repo", "https://mirror/x.rpm") == "https://mirror/x.rpm");
  CHECK(join_url("http://h/repo", "") == "http://h/repo");
}

TEST_CASE("file_url_path maps only local file URLs to paths", "[fetch][url]") {
  CHECK(file_url_path("file:///srv/repo/x.rpm") == "/srv/repo/x.rpm");
  CHECK(file_url_path("file://localhost/srv/x") == "/srv/x");
  CHECK(file_url_path("file:/srv/x") == "/srv/x");
  CHECK(file_url_path("file:///srv/a%20b%2Bc.rpm") == "/srv/a b+c.rpm");
  CHECK(file_url_path("file://otherhost/srv/x").empty());
  CHECK(file_url_path("http://h/x").empty());
  CHECK(file_url_path("/srv/x").empty());
  CHECK(file_url_path("file:relative").empty());
}

TEST_CASE("s3_http_url maps s3:// to path style on an endpoint, else to the regional host", "[fetch][url][s3]") {
  CHECK(s3_http_url("s3://bucket/repo/repodata/repomd.xml", "http://127.0.0.1:4568", "us-east-1") ==
        "http://127.0.0.1:4568/bucket/repo/repodata/repomd.xml");
  CHECK(s3_http_url("s3://bucket/k", "http://127.0.0.1:4568/", "us-east-1") == "http://127.0.0.1:4568/bucket/k");
  CHECK(s3_http_url("s3://my-bucket/Packages/libstdc++-1.0 x.rpm", "", "eu-west-1") ==
        "https://my-bucket.s3.eu-west-1.amazonaws.com/Packages/libstdc%2B%2B-1.0%20x.rpm");
  CHECK_THROWS_AS(s3_http_url("s3:///key", "", "us-east-1"), Error);
}

TEST_CASE("resolve_location: RFC 3986 dot segments against the repo URL (AL2023 blobstore)", "[fetch][url]") {
  const std::string guid = "http://127.0.0.1:8080/al2023/core/guids/0123abcd/x86_64/";
  const std::string href = "../../../../blobstore/5f1e/bash-5.2.15-1.amzn2023.0.2.x86_64.rpm";
  CHECK(resolve_location(guid, href) ==
        "http://127.0.0.1:8080/al2023/blobstore/5f1e/bash-5.2.15-1.amzn2023.0.2.x86_64.rpm");
  // The base is a directory with or without its trailing slash.
  CHECK(resolve_location(guid.substr(0, guid.size() - 1), href) == resolve_location(guid, href));
  CHECK(resolve_location("https://cdn.amazonlinux.com/al2023/core/guids/G/aarch64/", href) ==
        "https://cdn.amazonlinux.com/al2023/blobstore/5f1e/bash-5.2.15-1.amzn2023.0.2.x86_64.rpm");
  // What join_url gave stays: plain, "./" and "/" locations, absolute URLs.
  CHECK(resolve_location("http://h/repo", "Packages/a.rpm") == "http://h/repo/Packages/a.rpm");
  CHECK(resolve_location("http://h/repo/", "./Packages/a.rpm") == "http://h/repo/Packages/a.rpm");
  CHECK(resolve_location("http://h/repo/", "/Packages/a.rpm") == "http://h/repo/Packages/a.rpm");
  CHECK(resolve_location("http://h/repo", "https://mirror/x.rpm") == "https://mirror/x.rpm");
  CHECK(resolve_location("http://h/repo/", "a/./b/../c.rpm") == "http://h/repo/a/c.rpm");
  CHECK(resolve_location("s3://bucket/repo/x86_64", "../../blob/p.rpm") == "s3://bucket/blob/p.rpm");
  CHECK(resolve_location("file:///srv/repo", "Packages/a.rpm") == "file:///srv/repo/Packages/a.rpm");
  CHECK(resolve_location("file:///srv/repo/", "sub/../a.rpm") == "file:///srv/repo/a.rpm");
  CHECK(file_url_path(resolve_location("file:///srv/a%20b", "c%2Bd.rpm")) == "/srv/a b/c+d.rpm");
}

TEST_CASE("resolve_location refuses what climbs above the host root or out of a file:// repo", "[fetch][url]") {
  // One ".." more than the GUID URL has directories: above the host's root.
  const std::string guid = "http://127.0.0.1:8080/al2023/core/guids/0123abcd/x86_64/";
  CHECK_THAT(error_of([&] { resolve_location(guid, "../../../../../../blobstore/x/p.rpm"); }),
             Catch::StartsWith("location '../../../../../../blobstore/x/p.rpm' climbs above the root of "
                               "http://127.0.0.1:8080/"));
  CHECK_THROWS_AS(resolve_location("http://h/a/", "%2e%2E/%2E%2e/x.rpm"), Error);  // encoded dots are dots
  CHECK_THROWS_AS(resolve_location("http://h", "../x.rpm"), Error);
  CHECK_THROWS_AS(resolve_location("s3://bucket/repo", "../../x.rpm"), Error);
  // A file:// repo: any ".." that leaves its directory, encoded or not.
  CHECK_THAT(error_of([] { resolve_location("file:///srv/repo", "../other/x.rpm"); }),
             Catch::StartsWith("location '../other/x.rpm' leaves the repo's directory /srv/repo"));
  CHECK_THROWS_AS(resolve_location("file:///srv/repo/", "Packages/../../x.rpm"), Error);
  CHECK_THROWS_AS(resolve_location("file:///srv/repo/", "..%2fother/x.rpm"), Error);
  CHECK_THROWS_AS(resolve_location("file:///srv/repo/", "%2e%2e/x.rpm"), Error);
  // An absolute file:// location: only from a file:// repo, and inside it.
  CHECK(resolve_location("file:///srv/repo", "file:///srv/repo/Packages/a.rpm") == "file:///srv/repo/Packages/a.rpm");
  CHECK_THAT(error_of([] { resolve_location("file:///srv/repo", "file:///etc/shadow"); }),
             Catch::StartsWith("location 'file:///etc/shadow' names a local file outside the repo file:///srv/repo"));
  CHECK_THROWS_AS(resolve_location("file:///srv/repo", "file:///srv/repo/../x.rpm"), Error);
  CHECK_THROWS_AS(resolve_location("file:///srv/repo", "file:///srv/repo2/x.rpm"), Error);
  CHECK_THROWS_AS(resolve_location("https://h/repo/", "file:///etc/shadow"), Error);
  // "file:/x" has no "//": a relative path under the repo, as before.
  CHECK(resolve_location("https://h/repo/", "file:/etc/shadow") == "https://h/repo/file:/etc/shadow");
  // A location must name a file: it becomes the cache's file name.
  for (const char* bad : {"", "dir/", "..", "a/.", "a/%2e%2e"}) {
    INFO(bad);
    CHECK_THROWS_AS(resolve_location("http://h/repo/", bad), Error);
  }
}
