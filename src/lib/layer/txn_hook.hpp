// Test-only hook into LayerTransaction: called after every step that changes
// ROOT or the journal during commit/recover, so a test can kill the process at
// exactly step K and check recover() still ends "before" or "after".
#pragma once

namespace yumda::detail {

// STEP counts from 1 (the COMMIT marker) in one commit() or recover() call.
using TxnStepHook = void (*)(int step);
void set_txn_step_hook(TxnStepHook hook);

}  // namespace yumda::detail
