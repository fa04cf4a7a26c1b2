// What the server pays per request before any domain work: parse the envelope, decode the
// base64 payload and its JSON, and recover the signer id (secp256k1 recovery + SHA3-256).
#include <benchmark/benchmark.h>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "fixtures.hpp"
#include "rpc/envelope.hpp"

namespace {

using namespace colonies;

const std::string kKey = "ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05";

// A submit request body as the SDK sends it.
struct SignedSubmit {
    std::string payload, signature, body;
    SignedSubmit() {
        boost::json::object msg{{"spec", to_json(bench::sample_process().spec)},
                                {"msgtype", "submitfuncspecmsg"}};
        payload = rpc::base64_encode(to_text(msg));
        signature = crypto::sign(payload, kKey).value();
        body = rpc::encode_request("submitfuncspecmsg", payload, signature);
    }
};

void BM_Sign(benchmark::State& state) {
    SignedSubmit s;
    for (auto _ : state) benchmark::DoNotOptimize(crypto::sign(s.payload, kKey));
}
BENCHMARK(BM_Sign);

void BM_RecoverId(benchmark::State& state) {
    SignedSubmit s;
    for (auto _ : state) benchmark::DoNotOptimize(crypto::recover_id(s.payload, s.signature));
}
BENCHMARK(BM_RecoverId);

// The whole server-side decode of one request: envelope, base64, JSON, spec, signer.
void BM_EnvelopeDecodeAndRecover(benchmark::State& state) {
    SignedSubmit s;
    for (auto _ : state) {
        auto req = rpc::parse_request(s.body);
        auto text = rpc::base64_decode(req->payload);
        auto msg = boost::json::parse(*text);
        auto spec = function_spec_from_json(msg.as_object().at("spec"));
        auto id = crypto::recover_id(req->payload, req->signature);
        benchmark::DoNotOptimize(spec);
        benchmark::DoNotOptimize(id);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(s.body.size()));
}
BENCHMARK(BM_EnvelopeDecodeAndRecover);

void BM_Sha3Id(benchmark::State& state) {
    const std::string pub(130, 'a');
    for (auto _ : state) benchmark::DoNotOptimize(crypto::sha3_256_hex(pub));
}
BENCHMARK(BM_Sha3Id);

}  // namespace
