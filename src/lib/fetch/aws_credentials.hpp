// AWS credentials and region for s3:// URLs, looked up the way the AWS CLI
// does: environment first, then the shared credentials and config files.
#pragma once
#include <functional>
#include <optional>
#include <string>

namespace yumda {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" unless temporary credentials
  std::string source;         // where they came from, for messages: "environment", "profile default in FILE"
  bool empty() const { return access_key_id.empty() || secret_access_key.empty(); }
};

// Reads one environment variable; unset and empty are the same.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else profile
// AWS_PROFILE (default "default") from AWS_SHARED_CREDENTIALS_FILE
// (~/.aws/credentials), then from AWS_CONFIG_FILE (~/.aws/config, "[profile NAME]"
// sections). Empty credentials when none are found (unsigned requests).
AwsCredentials load_aws_credentials(const EnvLookup& env = process_env());

// AWS_REGION, AWS_DEFAULT_REGION, the profile's region= in the config file,
// else "us-east-1".
std::string load_aws_region(const EnvLookup& env = process_env());

}  // namespace yumda
