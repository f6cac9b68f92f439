import { useState, type ReactNode } from 'react'
import { View, Text, Input } from '@tarojs/components'
import './SearchBar.css'

/** WeChat-style search bar: type, press 搜索 (or the keyboard's search key); × clears. */
export default function SearchBar({ placeholder, onSearch, extra, initial = '' }: { placeholder: string; onSearch: (q: string) => void; extra?: ReactNode; initial?: string }) {
  const [text, setText] = useState(initial)
  const submit = () => onSearch(text.trim())
  return (
    <View className='search'>
      <View className='search__box'>
        <Text className='search__icon'>⌕</Text>
        <Input
          className='search__input'
          value={text}
          placeholder={placeholder}
          confirmType='search'
          maxlength={40}
          onInput={(e) => setText(e.detail.value)}
          onConfirm={submit}
          data-testid='search-input'
        />
        {text ? (
          <Text
            className='search__clear'
            onClick={() => {
              setText('')
              onSearch('')
            }}
          >
            ×
          </Text>
        ) : null}
      </View>
      <Text className='search__go' onClick={submit} data-testid='search-submit'>
        搜索
      </Text>
      {extra}
    </View>
  )
}
