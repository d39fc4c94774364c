#include <catch2/catch.hpp>

#include "yumda/error.hpp"
#include "yumda/fetch.hpp"

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
