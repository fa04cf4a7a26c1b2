// Channels (features.md 5, protocol.md 5.13, 5.16) on a real server: append and read with
// upstream's checks, order and limits; who may take part; the end of a channel with its process;
// channels across a restart; subscriptions on /pubsub.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "client/subscribe.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

// The submitter, the executor that runs the process (K3) and a bystander: all approved
// executors of colony dev.
class Channels : public ::testing::Test {
  protected:
    explicit Channels(ServerConfig cfg = {}) : server_(std::move(cfg)) {}
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
        Fixture::add_approved_executor(*c_, "dev", "submitter", "submitters", submitter_.prvkey,
                                       DevIdentity::colony_prvkey);
        Fixture::add_approved_executor(*c_, "dev", "bystander", "bystanders", bystander_.prvkey,
                                       DevIdentity::colony_prvkey);
    }
    // A RUNNING process with channels `names`, submitted by the submitter, run by K3.
    Process running(std::vector<std::string> names = {"chat"}) {
        auto spec = Fixture::simple_spec("dev", "cli", "chat");
        spec.channels = std::move(names);
        auto p = c_->submit(spec, submitter_.prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        auto a = c_->assign("dev", 5, DevIdentity::executor_prvkey);
        EXPECT_TRUE(a.ok()) << a.error().message;
        return p.ok() ? *p : Process{};
    }
    std::vector<ChannelEntry> read(const Process& p, int64_t after = 0, int64_t limit = 0) {
        auto r = c_->channel_read(p.processid, "chat", after, limit, submitter_.prvkey);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? *r : std::vector<ChannelEntry>{};
    }
    static std::string bytes(const ChannelEntry& e) {
        return e.payload ? bytes_of_base64(*e.payload).value_or("<bad base64>") : "<null>";
    }

    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
    Identity submitter_ = Identity::fresh();
    Identity bystander_ = Identity::fresh();
    const std::string& executor_ = DevIdentity::executor_prvkey;
};

void expect_error(const Status& st, int status, const std::string& message) {
    ASSERT_FALSE(st.ok()) << "expected " << message;
    EXPECT_EQ(st.error().status, status);
    EXPECT_EQ(st.error().message, message);
}

TEST_F(Channels, SubmitterAndExecutorTalkInOrder) {
    auto p = running();
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 1, "hello", submitter_.prvkey));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 1, "hi there", executor_, 1));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 2, "bye", submitter_.prvkey, 0, "end"));
    auto all = read(p);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(bytes(all[0]), "hello");
    EXPECT_EQ(all[0].senderid, submitter_.id);
    EXPECT_EQ(all[0].type, "data");
    EXPECT_EQ(all[0].inreplyto, 0);
    EXPECT_EQ(bytes(all[1]), "hi there");
    EXPECT_EQ(all[1].senderid, DevIdentity::executor_id);
    EXPECT_EQ(all[1].inreplyto, 1);
    EXPECT_EQ(all[2].type, "end");
    EXPECT_LE(all[0].timestamp, all[1].timestamp);
    // afterseq is a 0-based position, limit a count; past the end and below 0 as upstream.
    auto tail = read(p, 1);
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_EQ(bytes(tail[0]), "hi there");
    auto one = read(p, 1, 1);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(bytes(one[0]), "hi there");
    EXPECT_TRUE(read(p, 3).empty());
    EXPECT_EQ(read(p, -5).size(), 3u);
    // The executor reads the same log.
    auto seen = c_->channel_read(p.processid, "chat", 0, 0, executor_);
    ASSERT_TRUE(seen.ok()) << seen.error().message;
    EXPECT_EQ(seen->size(), 3u);
}

// features.md 5.3 step 7: one sender's entries by sequence, different senders by time.
TEST_F(Channels, OneSendersEntriesAreSortedBySequence) {
    auto p = running();
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 3, "s3", submitter_.prvkey));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 1, "e1", executor_));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 1, "s1", submitter_.prvkey));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 2, "s2", submitter_.prvkey));
    std::vector<std::string> got;
    for (const auto& e : read(p)) got.push_back(bytes(e));
    EXPECT_EQ(got, (std::vector<std::string>{"s1", "e1", "s2", "s3"}));
}

TEST_F(Channels, PayloadAsAnArrayOfBytesComesBackAsBase64) {
    auto p = running();
    boost::json::object msg{{"processid", p.processid},
                            {"name", "chat"},
                            {"sequence", 1},
                            {"payload", boost::json::array{104, 105}}};
    auto r = c_->call("channelappendmsg", msg, submitter_.prvkey);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, boost::json::value(boost::json::object{}));
    auto raw =
        c_->call("channelreadmsg", {{"processid", p.processid}, {"name", "chat"}, {"afterseq", 0}},
                 submitter_.prvkey);
    ASSERT_TRUE(raw.ok()) << raw.error().message;
    const auto& entry = raw->as_array().at(0).as_object();
    EXPECT_EQ(entry.at("payload"), "aGk=");
    EXPECT_EQ(entry.at("type"), "data");
    EXPECT_FALSE(entry.contains("inreplyto"));  // omitted when 0
    EXPECT_FALSE(entry.contains("error"));
    // Not a byte: the whole payload is invalid JSON, nothing is appended.
    msg["payload"] = boost::json::array{1, 256};
    auto bad = c_->call("channelappendmsg", msg, submitter_.prvkey);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().status, 400);
    EXPECT_EQ(bad.error().message, "Failed to append to channel, invalid JSON");
    EXPECT_EQ(read(p).size(), 1u);
}

TEST_F(Channels, RefusalsUseUpstreamsStatusesAndTexts) {
    auto p = running({"chat"});
    const std::string nobody(64, 'a');
    expect_error(c_->channel_append(nobody, "chat", 1, "x", submitter_.prvkey), 404,
                 "Process not found");
    expect_error(c_->channel_append(p.processid, "chat", 1, "x", Identity::fresh().prvkey), 403,
                 "Access denied, not a member of Colony with name dev");
    expect_error(c_->channel_append(p.processid, "other", 1, "x", submitter_.prvkey), 404,
                 "Channel not found");
    // A member who neither submitted nor runs the process.
    expect_error(c_->channel_append(p.processid, "chat", 1, "x", bystander_.prvkey), 403,
                 "Not authorized to write to channel");
    auto r = c_->channel_read(p.processid, "chat", 0, 0, bystander_.prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    EXPECT_EQ(r.error().message, "Not authorized to read from channel");
    const std::string too_big(10 * 1024 * 1024 + 1, 'x');
    expect_error(c_->channel_append(p.processid, "chat", 1, too_big, submitter_.prvkey), 500,
                 "message payload exceeds maximum size");
    EXPECT_TRUE(read(p).empty());  // nothing refused was kept
}

TEST_F(Channels, ChannelsEndWithTheirProcess) {
    auto closed = running();
    ASSERT_TRUE(c_->channel_append(closed.processid, "chat", 1, "x", submitter_.prvkey));
    ASSERT_TRUE(c_->close_successful(closed.processid, {}, executor_));
    expect_error(c_->channel_append(closed.processid, "chat", 2, "y", submitter_.prvkey), 404,
                 "Channel not found");
    auto r = c_->channel_read(closed.processid, "chat", 0, 0, submitter_.prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "Channel not found");

    auto failed = running();
    ASSERT_TRUE(c_->channel_append(failed.processid, "chat", 1, "x", submitter_.prvkey));
    ASSERT_TRUE(c_->close_failed(failed.processid, {"boom"}, executor_));
    expect_error(c_->channel_append(failed.processid, "chat", 2, "y", submitter_.prvkey), 404,
                 "Channel not found");

    auto cancelled = running();
    ASSERT_TRUE(c_->channel_append(cancelled.processid, "chat", 1, "x", submitter_.prvkey));
    ASSERT_TRUE(c_->cancel_process(cancelled.processid, submitter_.prvkey));
    expect_error(c_->channel_append(cancelled.processid, "chat", 2, "y", submitter_.prvkey), 404,
                 "Channel not found");
}

TEST_F(Channels, AWaitingProcessesChannelIsTheSubmittersAlone) {
    auto spec = Fixture::simple_spec("dev", "nobody-runs-this", "wait");
    spec.channels = {"chat"};
    auto p = c_->submit(spec, submitter_.prvkey);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(c_->channel_append(p->processid, "chat", 1, "early", submitter_.prvkey));
    expect_error(c_->channel_append(p->processid, "chat", 1, "x", executor_), 403,
                 "Not authorized to write to channel");
    ASSERT_TRUE(c_->remove_process(p->processid, submitter_.prvkey));
    expect_error(c_->channel_append(p->processid, "chat", 2, "y", submitter_.prvkey), 404,
                 "Process not found");
}

TEST_F(Channels, TheHundredAndFirstChannelIsRefusedWhenUsed) {
    std::vector<std::string> names;
    for (int i = 0; i < 101; ++i) names.push_back("c" + std::to_string(i));
    auto p = running(names);
    ASSERT_TRUE(c_->channel_append(p.processid, "c99", 1, "x", submitter_.prvkey));
    expect_error(c_->channel_append(p.processid, "c100", 1, "x", submitter_.prvkey), 500,
                 "process has too many channels");
}

TEST_F(Channels, EntriesSurviveARestartWhileTheProcessRuns) {
    auto p = running();
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 1, "before", submitter_.prvkey));
    server_.restart();
    *c_ = server_.make_client();
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 2, "after", submitter_.prvkey));
    auto all = read(p);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(bytes(all[0]), "before");
    EXPECT_EQ(bytes(all[1]), "after");
}

// The per-process token bucket (500 at once, then 100 per second) across all its channels.
// Eight writers, so that appends outrun the refill even on a busy machine.
TEST_F(Channels, RateLimitPerProcess) {
    auto p = running({"a", "b"});
    const auto start = std::chrono::steady_clock::now();
    std::atomic<int> accepted{0}, attempts{0};
    std::mutex mu;
    std::optional<Error> refused;
    std::vector<std::thread> writers;
    for (int w = 0; w < 8; ++w)
        writers.emplace_back([&, w] {
            auto c = server_.make_client();
            while (attempts++ < 20000) {
                {
                    std::lock_guard lk(mu);
                    if (refused) return;
                }
                auto st = c.channel_append(p.processid, w % 2 ? "a" : "b", attempts, "x",
                                           submitter_.prvkey);
                if (st) {
                    ++accepted;
                    continue;
                }
                std::lock_guard lk(mu);
                if (!refused) refused = st.error();
                return;
            }
        });
    for (auto& t : writers) t.join();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 500);
    EXPECT_EQ(refused->message, "rate limit exceeded");
    EXPECT_GE(accepted.load(), 500);
    EXPECT_LE(accepted.load(), 500 + static_cast<int>(100 * elapsed) + 8);
}

TEST_F(Channels, SubscriberReceivesTheBacklogThenEachEntryInOrder) {
    auto p = running();
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 1, "old0", executor_));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 2, "old1", executor_));
    std::vector<std::vector<std::string>> frames;
    std::optional<Result<int>> done;
    std::thread subscriber([&] {
        client::ChannelSubscription sub{p.processid, "chat", 1, 20};
        done = client::subscribe_channel(server_.client_options(), sub, submitter_.prvkey,
                                         [&](const std::vector<ChannelEntry>& entries) {
                                             frames.emplace_back();
                                             for (const auto& e : entries)
                                                 frames.back().push_back(bytes(e) + "/" + e.type);
                                             return true;
                                         });
    });
    ASSERT_TRUE(wait_for_metric(*c_, "colonies_channel_subscriptions", 1, 10s));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 3, "one", executor_));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 4, "two", executor_));
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 5, "", executor_, 0, "end"));
    // The end of the process ends the subscription at once (with `[]`), not at its timeout.
    const auto closing = std::chrono::steady_clock::now();
    ASSERT_TRUE(c_->close_successful(p.processid, {}, executor_));
    subscriber.join();
    EXPECT_LT(std::chrono::steady_clock::now() - closing, 5s);
    ASSERT_TRUE(done && done->ok()) << (done ? done->error().message : "");
    EXPECT_EQ(**done, 4);
    using V = std::vector<std::string>;
    EXPECT_EQ(frames, (std::vector<V>{V{"old1/data"}, V{"one/data"}, V{"two/data"}, V{"/end"}}));
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_channel_subscriptions", 0, 5s));
}

TEST_F(Channels, SubscriptionEndsWithAnEmptyFrameAtItsTimeout) {
    auto p = running();
    const auto start = std::chrono::steady_clock::now();
    int frames = 0;
    client::ChannelSubscription sub{p.processid, "chat", 0, 1};
    auto r = client::subscribe_channel(server_.client_options(), sub, submitter_.prvkey,
                                       [&](const std::vector<ChannelEntry>&) { return ++frames; });
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, 0);
    EXPECT_EQ(frames, 0);  // no backlog frame for an empty log
    EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
}

TEST_F(Channels, SubscribeRefusals) {
    auto p = running();
    client::ChannelSubscription sub{p.processid, "chat", 0, 5};
    auto none = [](const std::vector<ChannelEntry>&) { return true; };
    auto r = client::subscribe_channel(server_.client_options(), sub, bystander_.prvkey, none);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    EXPECT_EQ(r.error().message, "Not authorized to subscribe to channel");
    sub.name = "nope";
    r = client::subscribe_channel(server_.client_options(), sub, submitter_.prvkey, none);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 404);
    EXPECT_EQ(r.error().message, "Channel not found");
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_channel_subscriptions", 0, 5s));
}

// docs/files-and-channels.md, "A conversation": the same calls as the document shows.
TEST_F(Channels, WorkedExampleFromTheDocs) {
    client::Client& submitter = *c_;
    auto executor = server_.make_client();
    const std::string& submitter_key = submitter_.prvkey;
    const std::string& executor_key = executor_;
    const client::Options options = server_.client_options();

    auto spec = Fixture::simple_spec("dev", "cli", "chat");
    spec.channels = {"chat"};
    auto p = submitter.submit(spec, submitter_key);
    ASSERT_TRUE(p.ok());
    auto assigned = executor.assign("dev", 10, executor_key);
    ASSERT_TRUE(assigned.ok());
    ASSERT_TRUE(submitter.channel_append(p->processid, "chat", 1, "What is 6 x 7?", submitter_key));
    auto question = executor.channel_read(p->processid, "chat", 0, 0, executor_key);
    ASSERT_TRUE(question.ok());
    ASSERT_EQ(question->size(), 1u);
    EXPECT_EQ(bytes(question->at(0)), "What is 6 x 7?");
    ASSERT_TRUE(executor.channel_append(p->processid, "chat", 1, "The answer ", executor_key, 1));
    ASSERT_TRUE(executor.channel_append(p->processid, "chat", 2, "is 42.", executor_key, 1));
    ASSERT_TRUE(executor.channel_append(p->processid, "chat", 3, "", executor_key, 0, "end"));
    std::string answer;
    auto followed = client::subscribe_channel(options, {p->processid, "chat", 1, 10}, submitter_key,
                                              [&](const std::vector<ChannelEntry>& entries) {
                                                  for (const auto& e : entries) {
                                                      if (e.type == "end") return false;  // done
                                                      answer += *bytes_of_base64(*e.payload);
                                                  }
                                                  return true;
                                              });
    ASSERT_TRUE(followed.ok()) << followed.error().message;
    EXPECT_EQ(answer, "The answer is 42.");
    ASSERT_TRUE(executor.close_successful(p->processid, {}, executor_key));
    EXPECT_FALSE(submitter.channel_read(p->processid, "chat", 0, 0, submitter_key).ok());
}

// A channel's payload bytes are bounded (COLONIES_CHANNEL_MAX_BYTES); past the bound the append
// is refused with a clear message and nothing changes.
class ChannelBytes : public Channels {
  protected:
    ChannelBytes() : Channels(config()) {}
    static ServerConfig config() {
        ServerConfig cfg;
        cfg.extra_env = {{"COLONIES_CHANNEL_MAX_BYTES", "1000"}};
        return cfg;
    }
};

TEST_F(ChannelBytes, AppendPastTheByteBoundIsRefused) {
    auto p = running();
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 1, std::string(600, 'a'), executor_));
    expect_error(c_->channel_append(p.processid, "chat", 2, std::string(401, 'b'), executor_), 500,
                 "channel log is full: its payloads would pass 1000 bytes");
    ASSERT_TRUE(c_->channel_append(p.processid, "chat", 2, std::string(400, 'c'), executor_));
    EXPECT_EQ(read(p).size(), 2u);
}

// A channel subscriber that does not read: past the /pubsub bound (5 frames here) it gets
// upstream's error entry and its subscription ends.
class ChannelSlowSubscriber : public Channels {
  protected:
    ChannelSlowSubscriber() : Channels(config()) {}
    static ServerConfig config() {
        ServerConfig cfg;
        cfg.extra_env = {{"COLONIES_PUBSUB_MAX_QUEUED", "5"}};
        return cfg;
    }
};

TEST_F(ChannelSlowSubscriber, GetsTheBufferFullEntry) {
    auto p = running();
    std::promise<void> release;
    std::vector<ChannelEntry> got;
    std::optional<Result<int>> done;
    std::thread subscriber([&] {
        client::ChannelSubscription sub{p.processid, "chat", 0, 120};
        bool blocked = false;
        done = client::subscribe_channel(server_.client_options(), sub, submitter_.prvkey,
                                         [&](const std::vector<ChannelEntry>& entries) {
                                             got.insert(got.end(), entries.begin(), entries.end());
                                             if (!blocked) {
                                                 blocked = true;
                                                 release.get_future().wait();
                                             }
                                             return true;
                                         });
    });
    ASSERT_TRUE(wait_for_metric(*c_, "colonies_channel_subscriptions", 1, 20s));
    const std::string chunk(100 * 1024, 'x');
    bool dropped = false;
    for (int i = 0; i < 250 && !dropped; ++i) {
        ASSERT_TRUE(c_->channel_append(p.processid, "chat", i, chunk, executor_));
        if (i % 5 == 4) dropped = read_metrics(*c_).at("colonies_channel_subscriptions") == 0;
    }
    release.set_value();
    subscriber.join();
    ASSERT_TRUE(dropped) << "the server kept queueing for a subscriber that does not read";
    ASSERT_TRUE(done && done->ok()) << (done ? done->error().message : "");
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back().error, "subscriber disconnected: buffer full");
    EXPECT_FALSE(got.back().payload.has_value());
    for (size_t i = 0; i + 1 < got.size(); ++i) EXPECT_EQ(got[i].sequence, static_cast<int64_t>(i));
}

}  // namespace
}  // namespace colonies::it
