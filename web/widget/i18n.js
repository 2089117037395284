// i18n.js: the widget's own texts in English and Simplified Chinese. The shop's texts
// (title, greeting, away message) come from the console settings, per language where the
// owner wrote them (main.js picks), and are shown as given.

var TEXTS = {
  en: {
    title: 'Chat with us',
    greeting: 'Hi! How can we help?',
    away: 'We are away right now. Leave your email and we will answer soon.',
    open: 'Open chat',
    openUnread: 'Open chat, {n} unread',
    close: 'Close chat',
    soundOn: 'Sound on',
    soundOff: 'Sound off',
    message: 'Message',
    placeholder: 'Type a message…',
    send: 'Send',
    typing: '{name} is typing…',
    agentNamed: 'You are chatting with {name}',
    replySoon: 'We usually reply in a few minutes',
    queue: 'Waiting: you are number {n}',
    pending: 'Sending',
    sent: 'Sent',
    read: 'Read',
    failed: 'Not sent: {why}',
    textQuota: 'you have sent a lot of text this hour; please try again later',
    offline: 'You are offline. Messages will be sent when you are back.',
    connecting: 'Connecting…',
    unavailable: 'The chat is not available on this website.',
    earlier: 'Show earlier messages',
    name: 'Your name',
    nameOptional: 'Your name (optional)',
    email: 'Your email',
    start: 'Start chat',
    prechatIntro: 'Please tell us who you are.',
    notify: 'Let me know',
    emailThanks: 'Thanks! We will answer at {email}.',
    mailMe: 'Email me this conversation',
    mailSent: 'Sent. Check your inbox.',
    mailConfirm: 'We sent a link to confirm your address first. Open it, then ask again.',
    noNet: 'no connection',
    bot: 'Assistant',
    ev_queued: 'Waiting for someone to join',
    ev_assigned: '{name} joined the conversation',
    ev_transferred: 'The conversation was transferred',
    ev_transferred_to: '{name} took over the conversation',
    ev_closed: 'The conversation has ended. Write again at any time.',
    ev_reopened: 'The conversation was reopened',
    ev_handed_off: 'Connecting you with a person…',
    helped: 'That helped',
    human: 'Talk to a person',
    thanks: 'Thanks!',
    rate: 'How did we do?',
    comment: 'Comment (optional)',
    colleague: 'A colleague',
    attach: 'Send a photo or file',
    original: 'Send original',
    uploading: 'Uploading… {n}%',
    cancel: 'Cancel'
  },
  zh: {
    title: '在线咨询',
    greeting: '您好！有什么可以帮您？',
    away: '我们暂时不在线。请留下邮箱，我们会尽快回复。',
    open: '打开聊天',
    openUnread: '打开聊天，{n} 条未读',
    close: '关闭聊天',
    soundOn: '提示音已开',
    soundOff: '提示音已关',
    message: '消息',
    placeholder: '输入消息…',
    send: '发送',
    typing: '{name} 正在输入…',
    agentNamed: '{name} 正在为您服务',
    replySoon: '我们通常几分钟内回复',
    queue: '排队中：您是第 {n} 位',
    pending: '发送中',
    sent: '已发送',
    read: '已读',
    failed: '发送失败：{why}',
    textQuota: '本小时内发送的文字过多，请稍后再试',
    offline: '网络已断开，恢复后会自动发送消息。',
    connecting: '正在连接…',
    unavailable: '本网站暂不支持在线咨询。',
    earlier: '查看更早的消息',
    name: '您的称呼',
    nameOptional: '您的称呼（选填）',
    email: '您的邮箱',
    start: '开始咨询',
    prechatIntro: '请先告诉我们您的称呼。',
    notify: '通知我',
    emailThanks: '谢谢！我们会回复到 {email}。',
    mailMe: '把对话发到我的邮箱',
    mailSent: '已发送，请查收邮件。',
    mailConfirm: '我们先发了一个确认邮箱的链接。请打开它，然后再点一次。',
    noNet: '网络不通',
    bot: '智能助手',
    ev_queued: '正在等待客服接入',
    ev_assigned: '{name} 已加入对话',
    ev_transferred: '对话已转接',
    ev_transferred_to: '已转接给 {name}',
    ev_closed: '对话已结束，您可以随时再次留言。',
    ev_reopened: '对话已重新打开',
    ev_handed_off: '正在转接人工客服…',
    helped: '有帮助',
    human: '转人工',
    thanks: '谢谢！',
    rate: '本次服务您满意吗？',
    comment: '留言（可选）',
    colleague: '客服',
    attach: '发送图片或文件',
    original: '发送原图',
    uploading: '正在上传… {n}%',
    cancel: '取消'
  }
};

/** Picks `en` or `zh` from the snippet's data-language, else the browser's language. */
function pickLanguage(asked) {
  var lang = (asked || navigator.language || 'en').toLowerCase();
  return lang.indexOf('zh') === 0 ? 'zh' : 'en';
}

/** Returns t(key, {name: …}) for one language: the text with {placeholders} filled. */
function translator(lang) {
  var table = TEXTS[lang] || TEXTS.en;
  return function (key, args) {
    var text = table[key] || TEXTS.en[key] || key;
    return text.replace(/\{(\w+)\}/g, function (_, k) {
      return args && args[k] !== undefined ? String(args[k]) : '';
    });
  };
}
