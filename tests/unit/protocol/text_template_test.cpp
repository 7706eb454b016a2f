// Text args of built-in protocols: substitutions compiled once, rendered per
// request.
#include "protocol/builtin/text_template.hpp"

#include <gtest/gtest.h>

#include <set>

#include "fake_client.hpp"
#include "protocol/builtin/arg_reader.hpp"

namespace swarm::protocol::builtin {
namespace {

std::string render(const TextTemplate& text, std::uint64_t id, std::uint64_t seq,
                   Client* random = nullptr) {
  std::string out = "<";
  text.render(out, {id, seq, random});
  return out;
}

TextTemplate compile(std::string_view text) {
  return TextTemplate::compile(text, {3, 7}, "command 'get' arg 'key'");
}

TEST(TextTemplateTest, TextWithoutSubstitutionsIsConstant) {
  TextTemplate text = compile("user:42");
  EXPECT_TRUE(text.is_constant());
  EXPECT_EQ(text.constant(), "user:42");
  EXPECT_EQ(render(text, 1, 1), "<user:42");
}

TEST(TextTemplateTest, IdAndSeqAreSubstituted) {
  TextTemplate text = compile("c{id}:n{seq}:{id}");
  EXPECT_FALSE(text.is_constant());
  EXPECT_EQ(render(text, 17, 3), "<c17:n3:17");
  EXPECT_EQ(render(text, 18446744073709551615ull, 0),
            "<c18446744073709551615:n0:18446744073709551615");
}

TEST(TextTemplateTest, RandStaysWithinItsBoundsAndCoversThem) {
  testing::FakeClient random;
  TextTemplate text = compile("k{rand:5-8}");
  std::set<std::string> seen;
  // FakeClient's random() counts up; spread over 64 bits to cover the range.
  for (std::uint64_t i = 0; i < 64; ++i) {
    random.next_random = i << 58;
    seen.insert(render(text, 0, 0, &random));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"<k5", "<k6", "<k7", "<k8"}));
  random.next_random = ~std::uint64_t{0};
  EXPECT_EQ(render(compile("{rand:0-0}"), 0, 0, &random), "<0");
  EXPECT_EQ(render(compile("{rand:9-9}"), 0, 0, &random), "<9");
}

TEST(TextTemplateTest, OtherBracesStayAsWritten) {
  // Redis Cluster hash tags, JSON, an unclosed brace.
  TextTemplate text = compile("user:{42}:{id} {\"a\": 1} {open");
  EXPECT_EQ(render(text, 5, 0), "<user:{42}:5 {\"a\": 1} {open");
  EXPECT_TRUE(compile("{}{ID}{rand}").is_constant());
}

TEST(TextTemplateTest, SubstitutionsInsideJsonBracesAreMade) {
  // An HTTP body: the innermost braces are the substitution.
  TextTemplate text = compile("{\"user\": {id}, \"n\": {\"seq\": {seq}}}");
  EXPECT_EQ(render(text, 5, 9), "<{\"user\": 5, \"n\": {\"seq\": 9}}");
}

TEST(TextTemplateTest, ABadRandSaysWhatAndWhere) {
  for (std::string_view bad : {"{rand:}", "{rand:5}", "{rand:9-1}", "{rand:a-b}", "{rand:-1-5}",
                               "{rand:1-99999999999999999999}"}) {
    try {
      compile(bad);
      ADD_FAILURE() << bad << " compiled";
    } catch (const BindError& error) {
      EXPECT_EQ(error.where().line, 3);
      EXPECT_EQ(error.where().column, 7);
      EXPECT_EQ(std::string(error.what()).rfind("command 'get' arg 'key': bad substitution '", 0),
                0u)
          << error.what();
    }
  }
}

TEST(TextTemplateTest, RenderingAllocatesNothingOnceTheBufferHasGrown) {
  TextTemplate text = compile("key:{id}:{seq}:{rand:1-1000000}");
  testing::FakeClient random;
  std::string out;
  out.reserve(256);
  const char* storage = out.data();
  for (std::uint64_t i = 0; i < 1000; ++i) {
    out.clear();
    text.render(out, {i, i, &random});
  }
  EXPECT_EQ(out.data(), storage);  // never reallocated
}

}  // namespace
}  // namespace swarm::protocol::builtin
