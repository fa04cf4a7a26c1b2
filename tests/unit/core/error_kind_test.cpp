// The table of error kinds (core/result.hpp): each kind's status, the kind of a status a server
// sends, and the factories the services use.
#include <gtest/gtest.h>

#include <set>

#include "core/result.hpp"

namespace colonies {
namespace {

TEST(ErrorKind, TableMapsEachKindToItsStatus) {
    const std::pair<ErrorKind, int> expected[] = {
        {ErrorKind::Invalid, 400},     {ErrorKind::Unauthorised, 403},
        {ErrorKind::NotFound, 404},    {ErrorKind::Conflict, 409},
        {ErrorKind::TooLarge, 413},    {ErrorKind::Unavailable, 503},
        {ErrorKind::Unreachable, 502}, {ErrorKind::Transport, 502},
        {ErrorKind::Timeout, 408},     {ErrorKind::Internal, 500},
    };
    ASSERT_EQ(std::size(expected), kErrorKinds.size());
    std::set<ErrorKind> seen;
    for (const auto& [kind, status] : expected) {
        EXPECT_EQ(http_status_of(kind), status);
        EXPECT_FALSE(name_of(kind).empty());
        EXPECT_EQ(Error(kind, "m").status, status);
        seen.insert(kind);
    }
    EXPECT_EQ(seen.size(), kErrorKinds.size());  // every kind is in the table once
}

TEST(ErrorKind, StatusesAServerSendsMapBackToTheirKind) {
    for (ErrorKind k :
         {ErrorKind::Invalid, ErrorKind::Unauthorised, ErrorKind::NotFound, ErrorKind::Conflict,
          ErrorKind::TooLarge, ErrorKind::Unavailable, ErrorKind::Timeout, ErrorKind::Internal}) {
        EXPECT_EQ(error_kind_of_status(http_status_of(k)), k) << name_of(k);
    }
    EXPECT_EQ(error_kind_of_status(502), ErrorKind::Transport);  // a proxy's "bad gateway"
    // Statuses outside the table: by class, and kept exactly as sent.
    EXPECT_EQ(error_kind_of_status(418), ErrorKind::Invalid);
    EXPECT_EQ(error_kind_of_status(504), ErrorKind::Internal);
    EXPECT_EQ(error_kind_of_status(200), ErrorKind::Internal);
    const Error teapot(418, "short and stout");
    EXPECT_EQ(teapot.kind, ErrorKind::Invalid);
    EXPECT_EQ(teapot.status, 418);
    EXPECT_EQ(teapot.message, "short and stout");
}

TEST(ErrorKind, FactoriesKeepTheirStatuses) {
    EXPECT_EQ(bad_request("x").status, 400);
    EXPECT_TRUE(bad_request("x").is(ErrorKind::Invalid));
    EXPECT_EQ(forbidden("x").status, 403);
    EXPECT_TRUE(forbidden("x").is(ErrorKind::Unauthorised));
    EXPECT_EQ(not_found("x").status, 404);
    EXPECT_EQ(conflict("x").status, 409);
    EXPECT_EQ(too_large("x").status, 413);
    EXPECT_EQ(unavailable("x").status, 503);
    EXPECT_EQ(timed_out("x").status, 408);
    EXPECT_EQ(internal_error("x").status, 500);
    EXPECT_EQ(internal_error("x").message, "x");
    const Error none;
    EXPECT_EQ(none.kind, ErrorKind::Internal);
    EXPECT_EQ(none.status, 500);
}

}  // namespace
}  // namespace colonies
