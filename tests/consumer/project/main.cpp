// The consumer program: uses the library and checks one known answer.
#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <string>

int main() {
  const std::string e = mailwire::base64::encode("foobar");
  std::string d;
  const auto r = mailwire::base64::decode(e, d, {.strict = true});
  if (e != "Zm9vYmFy" || d != "foobar" || r.st != mailwire::status::event) {
    std::puts("mailwire consumer: wrong answer");
    return 1;
  }
  std::printf("mailwire %s consumer: ok\n", mailwire::version_string);
  return 0;
}
