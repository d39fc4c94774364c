#include <catch2/catch.hpp>

#include <map>

#include "fetch/aws_credentials.hpp"
#include "test_support.hpp"

using namespace yumda;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("AWS credentials come from the environment first", "[fetch][aws]") {
  ScratchDir home;
  write_text(home.path + "/.aws/credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n");
  auto c = load_aws_credentials(env_of({{"HOME", home.path},
                                        {"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                        {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                        {"AWS_SESSION_TOKEN", "TOKEN"}}));
  CHECK(c.access_key_id == "ENVKEY");
  CHECK(c.secret_access_key == "ENVSECRET");
  CHECK(c.session_token == "TOKEN");
  CHECK(c.source.find("environment") != std::string::npos);
  // A key without its secret is not a credential: fall through to the file.
  auto partial = load_aws_credentials(env_of({{"HOME", home.path}, {"AWS_ACCESS_KEY_ID", "ENVKEY"}}));
  CHECK(partial.access_key_id == "FILEKEY");
}

TEST_CASE("AWS credentials come from the named profile of the shared credentials file", "[fetch][aws]") {
  ScratchDir home;
  write_text(home.path + "/.aws/credentials",
             "# comment\n[default]\naws_access_key_id=DEFKEY\naws_secret_access_key=DEFSECRET\n\n"
             "[work]\n  aws_access_key_id = WORKKEY  \naws_secret_access_key = WORKSECRET\naws_session_token = WTOKEN\n");
  auto def = load_aws_credentials(env_of({{"HOME", home.path}}));
  CHECK(def.access_key_id == "DEFKEY");
  CHECK(def.session_token.empty());
  auto work = load_aws_credentials(env_of({{"HOME", home.path}, {"AWS_PROFILE", "work"}}));
  CHECK(work.access_key_id == "WORKKEY");
  CHECK(work.secret_access_key == "WORKSECRET");
  CHECK(work.session_token == "WTOKEN");
  CHECK(work.source == "profile work in " + home.path + "/.aws/credentials");
  CHECK(load_aws_credentials(env_of({{"HOME", home.path}, {"AWS_PROFILE", "nosuch"}})).empty());

  // AWS_SHARED_CREDENTIALS_FILE replaces ~/.aws/credentials.
  ScratchDir other;
  write_text(other.path + "/creds", "[default]\naws_access_key_id=OTHERKEY\naws_secret_access_key=S\n");
  auto moved = load_aws_credentials(
      env_of({{"HOME", home.path}, {"AWS_SHARED_CREDENTIALS_FILE", other.path + "/creds"}}));
  CHECK(moved.access_key_id == "OTHERKEY");
}

TEST_CASE("AWS credentials and region come from [profile NAME] in the config file", "[fetch][aws]") {
  ScratchDir home;
  write_text(home.path + "/.aws/config",
             "[default]\nregion = eu-west-1\n"
             "[profile ci]\nregion=ap-south-1\naws_access_key_id=CIKEY\naws_secret_access_key=CISECRET\n");
  auto ci = env_of({{"HOME", home.path}, {"AWS_PROFILE", "ci"}});
  CHECK(load_aws_credentials(ci).access_key_id == "CIKEY");
  CHECK(load_aws_region(ci) == "ap-south-1");
  CHECK(load_aws_region(env_of({{"HOME", home.path}})) == "eu-west-1");
  CHECK(load_aws_credentials(env_of({{"HOME", home.path}})).empty());
  // The environment beats the config file; nothing at all gives us-east-1.
  CHECK(load_aws_region(env_of({{"HOME", home.path}, {"AWS_REGION", "us-west-2"}})) == "us-west-2");
  CHECK(load_aws_region(env_of({{"HOME", home.path}, {"AWS_DEFAULT_REGION", "sa-east-1"}})) == "sa-east-1");
  ScratchDir empty_home;
  CHECK(load_aws_region(env_of({{"HOME", empty_home.path}})) == "us-east-1");
  CHECK(load_aws_credentials(env_of({{"HOME", empty_home.path}})).empty());

  ScratchDir elsewhere;
  write_text(elsewhere.path + "/cfg", "[profile ci]\nregion=ca-central-1\n");
  CHECK(load_aws_region(env_of({{"HOME", home.path}, {"AWS_PROFILE", "ci"}, {"AWS_CONFIG_FILE", elsewhere.path + "/cfg"}})) ==
        "ca-central-1");
}
