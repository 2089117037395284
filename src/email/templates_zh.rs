//! The emails' texts in Simplified Chinese.

use super::templates::Strings;

/// 简体中文。
pub const STRINGS: Strings = Strings {
    test_subject: "deskbell 测试邮件",
    test_body: "这是一封来自 deskbell 的测试邮件。您能看到它，说明邮件发送正常。发送服务器：",
    waiting_subject: "有访客在等待",
    waiting_more_subject: "等待中的访客发来了新消息",
    waiting_intro: "有访客在没有客服在线时发来了消息，目前还没有人回复。",
    waiting_more_intro: "访客又发来了消息，目前还没有人回复。",
    visitor_heading: "访客",
    messages_heading: "消息",
    label_name: "姓名",
    label_email: "邮箱",
    label_page: "页面",
    label_language: "语言",
    label_conversation: "对话",
    visitor: "访客",
    bot: "机器人",
    system: "deskbell",
    open_conversation: "打开对话",
    open_console: "请打开 deskbell 控制台回复。",
    earlier_left_out: "条较早的消息未列出",
    agent_footer: "您收到这封邮件，是因为您在 deskbell 个人资料中选择了接收“访客等待”邮件。",
    change_choices: "更改邮件通知设置",
};
