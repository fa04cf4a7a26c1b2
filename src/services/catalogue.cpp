// The message catalogue: payloadtype -> operation (protocol.md section 5).
#include <array>

#include "services/channels_ops.hpp"
#include "services/colonies_ops.hpp"

namespace colonies::services {
namespace {

constexpr std::array kOperations{
    OpInfo{"getstatisticsmsg", "Failed to get statistics", op_get_statistics},
    OpInfo{"getclustermsg", "Failed to get cluster", op_get_cluster},
    OpInfo{"addcolonymsg", "Failed to add colony", op_add_colony},
    OpInfo{"removecolonymsg", "Failed to remove colony", op_remove_colony},
    OpInfo{"getcoloniesmsg", "Failed to get colonies", op_get_colonies},
    OpInfo{"getcolonymsg", "Failed to get colony", op_get_colony},
    OpInfo{"getcolonystatsmsg", "Failed to get colony statistics", op_get_colony_stats},
    OpInfo{"addusermsg", "Failed to add user", op_add_user},
    OpInfo{"getusersmsg", "Failed to get users", op_get_users},
    OpInfo{"getusermsg", "Failed to get user", op_get_user},
    OpInfo{"getuserbyidmsg", "Failed to get user by ID", op_get_user_by_id},
    OpInfo{"removeusermsg", "Failed to remove user", op_remove_user},
    OpInfo{"addexecutormsg", "Failed to add executor", op_add_executor},
    OpInfo{"getexecutorsmsg", "Failed to get executors", op_get_executors},
    OpInfo{"getexecutormsg", "Failed to get executor", op_get_executor},
    OpInfo{"getexecutorbyidmsg", "Failed to get executor by ID", op_get_executor_by_id},
    OpInfo{"approveexecutormsg", "Failed to approve executor", op_approve_executor},
    OpInfo{"rejectexecutormsg", "Failed to reject executor", op_reject_executor},
    OpInfo{"removeexecutormsg", "Failed to remove executor", op_remove_executor},
    OpInfo{"addfunctionmsg", "Failed to add function", op_add_function},
    OpInfo{"getfunctionsmsg", "Failed to get functions", op_get_functions},
    OpInfo{"removefunctionmsg", "Failed to remove function", op_remove_function},
    OpInfo{"submitfuncspecmsg", "Failed to submit process", op_submit},
    OpInfo{"assignprocessmsg", "Failed to assign process", nullptr},
    OpInfo{"getprocessmsg", "Failed to get process", op_get_process},
    OpInfo{"getprocessesmsg", "Failed to get processes", op_get_processes},
    OpInfo{"removeprocessmsg", "Failed to remove process", op_remove_process},
    OpInfo{"removeallprocessesmsg", "Failed to remove all processes", op_remove_all_processes},
    OpInfo{"closesuccessfulmsg", "Failed to close process as successful", op_close_successful},
    OpInfo{"closefailedmsg", "Failed to close process as failed", op_close_failed},
    OpInfo{"setoutputmsg", "Failed to set output", op_set_output},
    OpInfo{"cancelprocessmsg", "Failed to cancel process", op_cancel_process},
    OpInfo{"addattributemsg", "Failed to add attribute", op_add_attribute},
    OpInfo{"getattributemsg", "Failed to get attribute", op_get_attribute},
    OpInfo{"submitworkflowspecmsg", "Failed to submit workflow", op_submit_workflow},
    OpInfo{"getprocessgraphmsg", "Failed to get processgraph", op_get_graph},
    OpInfo{"getprocessgraphsmsg", "Failed to get processgraphs", op_get_graphs},
    OpInfo{"removeprocessgraphmsg", "Failed to remove processgraph", op_remove_graph},
    OpInfo{"removeallprocessgraphsmsg", "Failed to remove all processgraphs", op_remove_all_graphs},
    OpInfo{"cancelprocessgraphmsg", "Failed to cancel processgraph", op_cancel_graph},
    OpInfo{"addchildmsg", "Failed to add child", op_add_child},
    OpInfo{"addlogmsg", "Failed to add log", op_add_log},
    OpInfo{"addexecutorlogmsg", "Failed to add executor log", op_add_executor_log},
    OpInfo{"getlogsmsg", "Failed to get logs", op_get_logs},
    OpInfo{"searchlogsmsg", "Failed to search logs", op_search_logs},
    OpInfo{"addcronmsg", "Failed to add cron", op_add_cron},
    OpInfo{"getcronmsg", "Failed to get cron", op_get_cron},
    OpInfo{"getcronsmsg", "Failed to get crons", op_get_crons},
    OpInfo{"runcronmsg", "Failed to run cron", op_run_cron},
    OpInfo{"removecronmsg", "Failed to remove cron", op_remove_cron},
    OpInfo{"addgeneratormsg", "Failed to add generator", op_add_generator},
    OpInfo{"getgeneratormsg", "Failed to get generator", op_get_generator},
    OpInfo{"getgeneratorsmsg", "Failed to get generators", op_get_generators},
    OpInfo{"resolvegeneratormsg", "Failed to resolve generator", op_resolve_generator},
    OpInfo{"packgeneratormsg", "Failed to increment generator", op_pack_generator},
    OpInfo{"removegeneratormsg", "Failed to remove generator", op_remove_generator},
    OpInfo{"addlocationmsg", "Failed to add location", op_add_location},
    OpInfo{"getlocationsmsg", "Failed to get locations", op_get_locations},
    OpInfo{"getlocationmsg", "Failed to get location", op_get_location},
    OpInfo{"removelocationmsg", "Failed to remove location", op_remove_location},
    OpInfo{"changeuseridmsg", "Failed to change user Id", op_change_user_id},
    OpInfo{"changeexecutoridmsg", "Failed to change executor Id", op_change_executor_id},
    OpInfo{"changecolonyidmsg", "Failed to change colony Id", op_change_colony_id},
    // (sic) upstream names the colony id in this message's errors.
    OpInfo{"changeserveridmsg", "Failed to change colony Id", op_change_server_id},
    // Process history, pause, executor capabilities (issue 14).
    OpInfo{"getprocesshistmsg", "Failed to get process history", op_get_process_history},
    OpInfo{"getprocesstransitionsmsg", "Failed to get process transitions",
           op_get_process_transitions},
    OpInfo{"pauseassignmentsmsg", "Failed to pause assignments", op_pause_assignments},
    OpInfo{"resumeassignmentsmsg", "Failed to resume assignments", op_resume_assignments},
    OpInfo{"getpausestatusmsg", "Failed to get pause status", op_get_pause_status,
           "pausestatusreplymsg"},
    OpInfo{"updateexecutormsg", "Failed to update executor", op_update_executor},
    OpInfo{"reportallocationmsg", "Failed to report allocation", op_report_allocation},
    OpInfo{"channelappendmsg", "Failed to append to channel", op_channel_append},
    OpInfo{"channelreadmsg", "Failed to read from channel", op_channel_read},
    OpInfo{"addfilemsg", "Failed to add file", op_add_file},
    OpInfo{"getfilemsg", "Failed to get file", op_get_file},
    OpInfo{"getfilesmsg", "Failed to get files", op_get_files},
    OpInfo{"getfilelabelsmsg", "Failed to get files", op_get_file_labels},
    OpInfo{"removefilemsg", "Failed to remove file", op_remove_file},
    OpInfo{"createsnapshotmsg", "Failed to create snapshot", op_create_snapshot},
    OpInfo{"getsnapshotmsg", "Failed to get snapshot", op_get_snapshot},
    OpInfo{"getsnapshotsmsg", "Failed to get snapshots", op_get_snapshots},
    OpInfo{"removesnapshotmsg", "Failed to remove snapshot", op_remove_snapshot},
    OpInfo{"removeallsnapshotmsg", "Failed to remove snapshot", op_remove_all_snapshots},
    // Blueprints (features.md 6).
    OpInfo{"addblueprintdefinitionmsg", "Failed to add blueprint definition",
           op_add_blueprint_definition},
    OpInfo{"getblueprintdefinitionmsg", "Failed to get blueprint definition",
           op_get_blueprint_definition},
    OpInfo{"getblueprintdefinitionsmsg", "Failed to get blueprint definitions",
           op_get_blueprint_definitions},
    OpInfo{"removeblueprintdefinitionmsg", "Failed to remove blueprint definition",
           op_remove_blueprint_definition},
    OpInfo{"addblueprintmsg", "Failed to add blueprint", op_add_blueprint},
    OpInfo{"getblueprintmsg", "Failed to get blueprint", op_get_blueprint},
    OpInfo{"getblueprintsmsg", "Failed to get blueprints", op_get_blueprints},
    OpInfo{"updateblueprintmsg", "Failed to update blueprint", op_update_blueprint},
    OpInfo{"removeblueprintmsg", "Failed to remove blueprint", op_remove_blueprint},
    OpInfo{"getblueprinthistorymsg", "Failed to get blueprint history", op_get_blueprint_history},
    OpInfo{"updateblueprintstatusmsg", "Failed to update blueprint status",
           op_update_blueprint_status},
    OpInfo{"reconcileblueprintmsg", "Failed to reconcile blueprint", op_reconcile_blueprint},
};

}  // namespace

std::span<const OpInfo> operations() {
    return kOperations;
}

const OpInfo* find_operation(std::string_view payloadtype) {
    for (const auto& op : kOperations)
        if (op.payloadtype == payloadtype) return &op;
    return nullptr;
}

}  // namespace colonies::services
